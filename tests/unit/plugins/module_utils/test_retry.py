from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.aews.eks.plugins.module_utils._eks import api
from ansible_collections.aews.eks.plugins.module_utils._eks import common
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError


class _Module:
    def __init__(self, plain):
        self.plain = plain

    def client(self, service, **kwargs):
        return self.plain


@pytest.fixture
def eks_client(monkeypatch):
    sleeps = []
    monkeypatch.setattr("time.sleep", sleeps.append)
    plain = boto3.client("eks", region_name="ap-northeast-2", aws_access_key_id="a", aws_secret_access_key="b")
    with Stubber(plain) as stubber:
        yield common.client(_Module(plain), "eks"), stubber, sleeps


def test_throttled_call_is_retried_to_success(eks_client):
    wrapped, stubber, sleeps = eks_client
    for _attempt in range(3):
        stubber.add_client_error("list_addons", service_error_code="ThrottlingException", http_status_code=400)
    stubber.add_response("list_addons", {"addons": ["vpc-cni"]}, {"clusterName": "c"})

    assert wrapped.list_addons(clusterName="c")["addons"] == ["vpc-cni"]
    stubber.assert_no_pending_responses()
    assert len(sleeps) == 3


def test_non_retryable_error_is_raised_after_one_call(eks_client):
    wrapped, stubber, sleeps = eks_client
    stubber.add_client_error(
        "update_cluster_version", service_error_code="InvalidParameterException", service_message="bad version"
    )

    with pytest.raises(EksError) as raised:
        api.update_cluster_version(wrapped, "c", "1.99")

    assert raised.value.code == "InvalidParameterException"
    assert "bad version" in str(raised.value)
    stubber.assert_no_pending_responses()
    assert sleeps == []


# ---------------------------------------------------------------- what is retried
import botocore.exceptions  # noqa: E402

from ansible_collections.aews.eks.plugins.module_utils._eks import errors  # noqa: E402
from ansible_collections.aews.eks.plugins.module_utils._eks import retry  # noqa: E402


def client_error(code, status=400, message="", operation="CreateCluster"):
    response = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return botocore.exceptions.ClientError(response, operation)


@pytest.mark.parametrize(
    "code, status",
    [
        ("ThrottlingException", 400),  # EKS
        ("Throttling", 400),  # IAM, STS
        ("RequestLimitExceeded", 503),  # EC2
        ("InternalFailure", 500),
        ("ServiceUnavailable", 503),
        ("ServerException", 500),
        ("SomethingNew", 500),  # any 5xx
        ("SomethingElse", 503),
    ],
)
def test_throttling_and_server_faults_are_transient(code, status):
    assert errors.is_transient(client_error(code, status))


@pytest.mark.parametrize(
    "code", ["InvalidParameterException", "DependencyViolation", "AccessDenied", "InvalidVpcID.NotFound"]
)
def test_client_errors_are_not_transient(code):
    assert not errors.is_transient(client_error(code, 400))


@pytest.mark.parametrize(
    "message",
    [
        "Role with arn: arn:aws:iam::123456789012:role/myeks-cluster-role could not be assumed because it does not"
        " exist or the trusted entity is not correct",
        "The provided role doesn't have the Amazon EKS Managed Policies associated with it. Please ensure the"
        " following policies [arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy] are attached",
    ],
)
def test_iam_propagation_is_recognized(message):
    assert errors.is_iam_propagation(client_error("InvalidParameterException", message=message))
    # The same, as the EksError the api wrappers raise.
    wrapped = errors.EksError(
        message="create the cluster", exception=client_error("InvalidParameterException", message=message)
    )
    assert errors.is_iam_propagation(wrapped)


def test_other_invalid_parameters_are_not_iam_propagation():
    assert not errors.is_iam_propagation(
        client_error("InvalidParameterException", message="Subnets specified must be in at least two different AZs")
    )
    assert not errors.is_iam_propagation(client_error("AccessDeniedException", message="could not be assumed"))


@pytest.mark.parametrize("code", ["InvalidVpcID.NotFound", "InvalidSubnetID.NotFound", "NatGatewayNotFound"])
def test_ec2_lag_codes(code):
    assert errors.is_not_found_lag(client_error(code))


def test_quota_advice_names_the_quota_its_use_and_how_to_raise_it():
    text = errors.quota_advice("AddressLimitExceeded", region="ap-northeast-2", in_use=5)
    assert "EC2-VPC Elastic IPs" in text and "5 in use in ap-northeast-2" in text
    assert "--service-code ec2 --quota-code L-0263D0A3" in text
    assert "release unused elastic IP addresses" in text and "run again" in text
    assert errors.quota_advice("InvalidParameterException") is None


def test_transient_backoff_retries_each_service_code_then_succeeds(monkeypatch):
    sleeps = []
    monkeypatch.setattr("time.sleep", sleeps.append)
    failures = [client_error("RequestLimitExceeded", 503), client_error("Throttling"), client_error("X", 500)]

    def call():
        if failures:
            raise failures.pop(0)
        return "ok"

    assert retry.transient_backoff(retries=5, delay=1, max_delay=4)(call)() == "ok"
    assert len(sleeps) == 3 and all(0 < s <= 4 for s in sleeps)


def test_transient_backoff_gives_up_after_its_retries(monkeypatch):
    monkeypatch.setattr("time.sleep", lambda s: None)
    calls = []

    def call():
        calls.append(1)
        raise client_error("ThrottlingException")

    with pytest.raises(botocore.exceptions.ClientError):
        retry.transient_backoff(retries=3)(call)()
    assert len(calls) == 4


class _Clock:
    def __init__(self):
        self.now = 1000.0

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_iam_propagation_retry_waits_then_notes_why(monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(retry.time, "monotonic", clock.monotonic)
    monkeypatch.setattr(retry.time, "sleep", clock.sleep)
    refusal = client_error("InvalidParameterException", message="Role with arn: x could not be assumed")
    answers = [refusal, refusal, "created"]

    def create():
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    retrying = retry.iam_propagation(timeout=120, delay=5)
    assert retrying.call("CreateCluster myeks", create) == "created"
    assert clock.now == 1010.0
    assert retrying.notes == [
        "CreateCluster myeks: waited 10s over 3 attempts (IAM had not yet propagated the role, its trust or"
        " policies, or the OIDC provider it trusts)"
    ]


def test_iam_propagation_retry_is_bounded(monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(retry.time, "monotonic", clock.monotonic)
    monkeypatch.setattr(retry.time, "sleep", clock.sleep)
    calls = []

    def create():
        calls.append(clock.now)
        raise client_error("InvalidParameterException", message="Role with arn: x could not be assumed")

    retrying = retry.iam_propagation(timeout=20, delay=5)
    with pytest.raises(botocore.exceptions.ClientError):
        retrying.call("CreateNodegroup c/ng", create)
    assert len(calls) == 5  # at 0, 5, 10, 15, 20 seconds
    assert "gave up after 5 attempts" in retrying.notes[0]


def test_iam_propagation_retry_does_not_retry_other_errors(monkeypatch):
    monkeypatch.setattr(retry.time, "sleep", lambda s: pytest.fail("slept"))
    retrying = retry.iam_propagation(timeout=120)

    def create():
        raise client_error("InvalidParameterException", message="unsupported Kubernetes version")

    with pytest.raises(botocore.exceptions.ClientError):
        retrying.call("CreateCluster c", create)
    assert retrying.notes == []


def test_zero_timeout_tries_once(monkeypatch):
    monkeypatch.setattr(retry.time, "sleep", lambda s: pytest.fail("slept"))
    calls = []

    def create():
        calls.append(1)
        raise client_error("InvalidParameterException", message="could not be assumed")

    with pytest.raises(botocore.exceptions.ClientError):
        retry.iam_propagation(timeout=0).call("CreateAddon c/vpc-cni", create)
    assert len(calls) == 1
