# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one exception type of the collection and the handler that produces it from botocore errors."""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

# Error codes that mean "the thing asked for does not exist", across the services we call.
MISSING_CODES = (
    "ResourceNotFoundException",
    "NoSuchEntity",
    "NotFoundException",
    "InvalidKeyPair.NotFound",
    "InvalidLaunchTemplateName.NotFoundException",
    "InvalidLaunchTemplateId.NotFound",
)


class EksError(AnsibleAWSError):
    """Every error the collection raises: a readable message, the AWS error code and the request id."""

    def __init__(self, message=None, exception=None, **kwargs):
        super().__init__(message=message, exception=exception, **kwargs)
        self.code = None
        self.request_id = None
        response = getattr(exception, "response", None)
        if isinstance(response, dict):
            self.code = response.get("Error", {}).get("Code")
            self.request_id = response.get("ResponseMetadata", {}).get("RequestId")
            aws_message = response.get("Error", {}).get("Message")
            if self.code:
                detail = f"{self.code}: {aws_message}" if aws_message else self.code
                self.kwargs.setdefault("error", {"code": self.code, "message": aws_message})
                self.message = f"{message}: {detail}" if message else detail
                self.exception = None
        if self.request_id:
            self.kwargs.setdefault("response_metadata", {"request_id": self.request_id})

    def __str__(self):
        if self.exception and self.message:
            return f"{self.message}: {self.exception}"
        return self.message or super().__str__()


class EksErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = EksError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(list(MISSING_CODES))


def error_code(exception):
    """The AWS error code carried by a collection or botocore exception, or None."""
    code = getattr(exception, "code", None)
    if code:
        return code
    response = getattr(exception, "response", None) or getattr(getattr(exception, "exception", None), "response", None)
    if isinstance(response, dict):
        return response.get("Error", {}).get("Code")
    return None
