# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one exception type of the collection and the handler that produces it from botocore errors."""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from .vocabulary import missing_codes

# Error codes that mean "the thing asked for does not exist", across the services we call (the wrappers of api
# take those of their resource: vocabulary.MISSING_CODES).
MISSING_CODES = missing_codes()


class EksError(AnsibleAWSError):
    """Every error the collection raises: a readable message, the AWS error code and the request id."""

    def __init__(self, message=None, exception=None, **kwargs):
        super().__init__(message=message, exception=exception, **kwargs)
        self.code = None
        self.request_id = None
        # The message without the advice on a quota or zone error (quota_error gives the advice again, counted).
        self.unadvised = message
        response = getattr(exception, "response", None)
        if isinstance(response, dict):
            self.code = response.get("Error", {}).get("Code")
            self.request_id = response.get("ResponseMetadata", {}).get("RequestId")
            aws_message = response.get("Error", {}).get("Message")
            if self.code:
                detail = f"{self.code}: {aws_message}" if aws_message else self.code
                self.kwargs.setdefault("error", {"code": self.code, "message": aws_message})
                self.message = self.unadvised = f"{message}: {detail}" if message else detail
                advice = quota_advice(self.code) or zone_advice(self.code, response.get("validZones"))
                if advice:
                    self.message = self.message.rstrip(".") + ". " + advice
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
        # Imported here: amazon.aws's botocore helpers import boto3, which the collection's filter plugins (loaded in
        # every Ansible worker that templates one of them) never need.
        from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

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


# ---------------------------------------------------------------- classification for retries
# Throttling as each service words it: EKS ThrottlingException, IAM and STS Throttling, EC2 RequestLimitExceeded.
THROTTLING_CODES = (
    "ThrottlingException",
    "Throttling",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "RequestThrottled",
    "RequestThrottledException",
    "EC2ThrottledException",
)
# Faults on AWS's side that a later identical call usually does not meet.
TRANSIENT_CODES = (
    "ServerException",
    "ServiceUnavailableException",
    "ServiceUnavailable",
    "Unavailable",
    "InternalServerError",
    "InternalFailure",
    "InternalError",
    "RequestTimeout",
    "RequestTimeoutException",
    "ServiceFailure",
)
TRANSIENT_STATUSES = (500, 502, 503, 504)

# EC2 answers these for an id it handed out a moment ago (eventual consistency of its read path).
NOT_FOUND_LAG_CODES = (
    "InvalidVpcID.NotFound",
    "InvalidSubnetID.NotFound",
    "InvalidRouteTableID.NotFound",
    "InvalidGroup.NotFound",
    "InvalidInternetGatewayID.NotFound",
    "NatGatewayNotFound",
    "InvalidNatGatewayID.NotFound",
    "InvalidAllocationID.NotFound",
    "InvalidNetworkInterfaceID.NotFound",
    "InvalidLaunchTemplateId.NotFound",
)

# EC2 refuses to delete what something still uses (a security group held by the network interfaces of nodes just
# terminated, or named by a rule of another group) with this code until the dependency is gone.
DEPENDENCY_CODES = ("DependencyViolation",)

# What EKS says while IAM has not yet propagated a role, its trust or its policies (or an OIDC provider the
# trust names) to the region: InvalidParameterException with one of these phrases.
IAM_PROPAGATION_PHRASES = (
    "could not be assumed",
    "trusted entity is not correct",
    "doesn't have the amazon eks managed policies",
    "does not have the amazon eks managed policies",
    "role does not exist",
)


def _response(exception):
    response = getattr(exception, "response", None)
    if response is None:
        response = getattr(getattr(exception, "exception", None), "response", None)
    return response if isinstance(response, dict) else {}


def error_message(exception):
    """The AWS error message carried by a collection or botocore exception ('' when none)."""
    kwargs = getattr(exception, "kwargs", None)
    if isinstance(kwargs, dict) and isinstance(kwargs.get("error"), dict):
        return kwargs["error"].get("message") or ""
    return _response(exception).get("Error", {}).get("Message") or ""


def http_status(exception):
    return _response(exception).get("ResponseMetadata", {}).get("HTTPStatusCode")


def is_throttling(exception):
    return error_code(exception) in THROTTLING_CODES


def is_transient(exception):
    """Throttling or a fault on AWS's side (5xx): the same call is worth making again after a pause."""
    code = error_code(exception)
    return code in THROTTLING_CODES or code in TRANSIENT_CODES or http_status(exception) in TRANSIENT_STATUSES


def is_not_found_lag(exception):
    return error_code(exception) in NOT_FOUND_LAG_CODES


def is_dependency(exception):
    return error_code(exception) in DEPENDENCY_CODES


def is_iam_propagation(exception):
    """EKS refusing a role (or the OIDC provider its trust names) that IAM has not propagated yet."""
    if error_code(exception) != "InvalidParameterException":
        return False
    message = error_message(exception).lower()
    return any(phrase in message for phrase in IAM_PROPAGATION_PHRASES)


# ---------------------------------------------------------------- quotas
# Error code -> (the quota as Service Quotas names it, service code, quota code, what is counted in use, what to
# release). The one table of the quotas the collection meets; a module that counts what is in use (eks_vpc) passes
# the count and the region to quota_advice.
QUOTAS = {
    "AddressLimitExceeded": (
        "EC2-VPC Elastic IPs",
        "ec2",
        "L-0263D0A3",
        "elastic IP addresses",
        "release elastic IP addresses nothing uses (aws ec2 describe-addresses, aws ec2 release-address)",
    ),
    "VpcLimitExceeded": ("VPCs per Region", "vpc", "L-F678F1CE", "VPCs", "delete VPCs nothing uses"),
    "InternetGatewayLimitExceeded": (
        "Internet gateways per Region",
        "vpc",
        "L-A4707A72",
        "internet gateways",
        "delete internet gateways nothing uses",
    ),
    "NatGatewayLimitExceeded": (
        "NAT gateways per Availability Zone",
        "vpc",
        "L-FE5A380F",
        "pending or available NAT gateways",
        "delete NAT gateways nothing routes to, or set vpc.nat to single",
    ),
    "SecurityGroupLimitExceeded": (
        "VPC security groups per Region",
        "vpc",
        "L-E79EC296",
        "security groups",
        "delete security groups nothing uses",
    ),
    "RouteTableLimitExceeded": (
        "Route tables per VPC",
        "vpc",
        "L-589F43AA",
        "route tables",
        "delete route tables nothing uses",
    ),
    "SubnetLimitExceeded": ("Subnets per VPC", "vpc", "L-407747CB", "subnets", "delete subnets nothing uses"),
    "ResourceLimitExceededException": (
        "the EKS quota named above",
        "eks",
        None,
        "EKS resources",
        "delete EKS resources nothing uses",
    ),
}


def quota_advice(code, region=None, in_use=None):
    """What to do about a quota error, or None when ``code`` is not one: the quota, its use (``in_use`` counted
    in ``region``, when known), how to raise it."""
    if code not in QUOTAS:
        return None
    quota, service, quota_code, counted, release = QUOTAS[code]
    where = f" in {region}" if region else ""
    used = f"{in_use} {counted} in use{where}" if in_use is not None else f"the quota is used up{where}"
    increase = f"aws service-quotas request-service-quota-increase --service-code {service}"
    increase += f" --quota-code {quota_code} --desired-value N" if quota_code else ""
    return (
        f"AWS quota '{quota}' reached ({code}): {used}. Either {release}, or raise the quota in Service Quotas"
        f" (console, or: {increase}{' --region ' + region if region else ''}); then run again: the run continues"
        " where it stopped."
    )


def quota_error(error, region=None, in_use=None):
    """The quota error ``error`` (an EksError whose code is in QUOTAS) again, its advice naming the region and
    what is in use there: AWS's message, then ``quota_advice(code, region, in_use)``."""
    code = error_code(error)
    said = (getattr(error, "unadvised", None) or str(error)).rstrip(".")
    again = EksError(message=f"{said}. {quota_advice(code, region, in_use)}", **getattr(error, "kwargs", {}))
    again.code, again.request_id = code, getattr(error, "request_id", None)
    return again


# ---------------------------------------------------------------- zones without EKS capacity
def zone_advice(code, valid_zones):
    """What to do when EKS refuses a zone (UnsupportedAvailabilityZoneException), or None for any other code."""
    if code != "UnsupportedAvailabilityZoneException":
        return None
    zones = ", ".join(valid_zones or []) or "the other zones of the region"
    return (
        f"EKS accepts the cluster's subnets in these zones only: {zones}. Set vpc.availability_zones in the"
        " definition (availabilityZones in an eksctl ClusterConfig) to zones from that list, or leave it out to let"
        " the definition pick zones EKS supports; then run again: the subnets already made in the refused zone are"
        " kept until the teardown."
    )
