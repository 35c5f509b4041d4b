# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of EksError and the error handler the AWS wrappers use."""

from __future__ import annotations

import botocore.exceptions
import pytest

from ansible_collections.aews.eks.plugins.module_utils._eks.errors import MISSING_CODES
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksErrorHandler
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import error_code


def client_error(code, message="", request_id="req-1234", operation="DescribeCluster"):
    response = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"RequestId": request_id, "HTTPStatusCode": 400},
    }
    return botocore.exceptions.ClientError(response, operation)


# ---------------------------------------------------------------- EksError
def test_message_carries_the_aws_code_message_and_request_id():
    error = EksError(
        message="Failed to create the cluster",
        exception=client_error("InvalidParameterException", "Subnets specified must be in at least two AZs", "abc-123"),
    )
    assert (
        str(error)
        == "Failed to create the cluster: InvalidParameterException: Subnets specified must be in at least two AZs"
    )
    assert error.code == "InvalidParameterException"
    assert error.request_id == "abc-123"
    assert error.kwargs == {
        "error": {"code": "InvalidParameterException", "message": "Subnets specified must be in at least two AZs"},
        "response_metadata": {"request_id": "abc-123"},
    }


def test_message_with_a_code_and_no_aws_message():
    error = EksError(message="Failed to delete the add-on", exception=client_error("AccessDeniedException", ""))
    assert str(error) == "Failed to delete the add-on: AccessDeniedException"
    assert error.code == "AccessDeniedException"


def test_message_from_the_aws_error_alone():
    error = EksError(exception=client_error("ResourceInUseException", "Cluster already exists with name: myeks"))
    assert str(error) == "ResourceInUseException: Cluster already exists with name: myeks"


def test_plain_message():
    error = EksError(message="version must look like 1.31, got '131'", field="version")
    assert str(error) == "version must look like 1.31, got '131'"
    assert error.code is None
    assert error.request_id is None
    assert error.kwargs == {"field": "version"}


def test_exception_without_an_aws_response_is_appended():
    cause = botocore.exceptions.EndpointConnectionError(endpoint_url="https://eks.example.invalid")
    error = EksError(message="Failed to describe the cluster", exception=cause)
    assert str(error).startswith("Failed to describe the cluster: Could not connect to the endpoint URL")
    assert error.code is None
    assert "response_metadata" not in error.kwargs


def test_caller_kwargs_win_over_the_derived_ones():
    error = EksError(message="x", exception=client_error("Throttling", "slow down"), error={"code": "custom"})
    assert error.kwargs["error"] == {"code": "custom"}


# ---------------------------------------------------------------- error_code
@pytest.mark.parametrize(
    "exception, expected",
    [
        pytest.param(client_error("ResourceNotFoundException"), "ResourceNotFoundException", id="client-error"),
        pytest.param(EksError(message="m", exception=client_error("Throttling")), "Throttling", id="eks-error"),
        pytest.param(EksError(message="no code"), None, id="eks-error-without-code"),
        pytest.param(ValueError("x"), None, id="other"),
    ],
)
def test_error_code(exception, expected):
    assert error_code(exception) == expected


# ---------------------------------------------------------------- EksErrorHandler
@EksErrorHandler.list_error_handler("describe the thing")
def describe(exception):
    if exception:
        raise exception
    return {"name": "thing"}


@EksErrorHandler.list_error_handler("list the things", default_value=[])
def list_things(exception):
    raise exception


@EksErrorHandler.deletion_error_handler("delete the thing")
def delete(exception):
    if exception:
        raise exception
    return True


@EksErrorHandler.common_error_handler("create the thing")
def create(exception):
    raise exception


@pytest.mark.parametrize("code", MISSING_CODES)
def test_describe_returns_none_for_a_missing_resource(code):
    assert describe(client_error(code, "not found")) is None


def test_list_returns_its_default_for_a_missing_parent():
    assert list_things(client_error("ResourceNotFoundException", "No cluster found for name: myeks.")) == []


@pytest.mark.parametrize("code", MISSING_CODES)
def test_delete_returns_false_when_already_gone(code):
    assert delete(client_error(code, "gone")) is False


def test_handlers_pass_results_through():
    assert describe(None) == {"name": "thing"}
    assert delete(None) is True


@pytest.mark.parametrize("handler", [describe, delete, create])
def test_other_errors_become_eks_error(handler):
    with pytest.raises(EksError) as e:
        handler(client_error("AccessDeniedException", "not authorized", "rid-9"))
    assert e.value.code == "AccessDeniedException"
    assert e.value.request_id == "rid-9"
    assert "not authorized" in str(e.value)
    assert str(e.value).startswith("Failed to ")
    assert isinstance(e.value.__cause__, botocore.exceptions.ClientError)


def test_create_does_not_swallow_a_missing_resource():
    with pytest.raises(EksError) as e:
        create(client_error("ResourceNotFoundException", "No cluster found for name: myeks."))
    assert str(e.value) == "Failed to create the thing: ResourceNotFoundException: No cluster found for name: myeks."


def test_non_aws_errors_are_not_caught():
    with pytest.raises(ZeroDivisionError):
        describe(ZeroDivisionError())


def test_a_quota_error_says_what_to_do():
    error = EksError(
        message="Failed to allocate the address",
        exception=client_error("AddressLimitExceeded", "The maximum number of addresses has been reached."),
    )
    assert str(error).startswith(
        "Failed to allocate the address: AddressLimitExceeded: The maximum number of addresses has been reached. AWS"
        " quota 'EC2-VPC Elastic IPs' reached (AddressLimitExceeded)"
    )
    assert "(AddressLimitExceeded): the quota is used up. Either release elastic IP addresses" in str(error)
    assert "--service-code ec2 --quota-code L-0263D0A3" in str(error)
    # The message without the advice, for a module that counts what is in use and gives the advice again.
    assert error.unadvised == (
        "Failed to allocate the address: AddressLimitExceeded: The maximum number of addresses has been reached."
    )


def test_a_zone_without_eks_capacity_says_which_zones_to_use_and_where():
    response = {
        "Error": {
            "Code": "UnsupportedAvailabilityZoneException",
            "Message": "Cannot create cluster 'c1' because us-east-1e ...",
        },
        "ResponseMetadata": {"RequestId": "r-1", "HTTPStatusCode": 400},
        "validZones": ["us-east-1a", "us-east-1b", "us-east-1c"],
    }
    error = EksError(
        message="Failed to create the cluster",
        exception=botocore.exceptions.ClientError(response, "CreateCluster"),
    )
    message = str(error)
    assert message.startswith("Failed to create the cluster: UnsupportedAvailabilityZoneException: Cannot create")
    assert "EKS accepts the cluster's subnets in these zones only: us-east-1a, us-east-1b, us-east-1c" in message
    assert "vpc.availability_zones" in message and "availabilityZones" in message
    # Any other refusal carries no zone advice.
    other = EksError(message="Failed", exception=client_error("InvalidParameterException", "bad"))
    assert "zones" not in str(other)
