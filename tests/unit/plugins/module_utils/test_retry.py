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

    assert api.list_addons(wrapped, "c") == ["vpc-cni"]
    stubber.assert_no_pending_responses()
    assert len(sleeps) == 3


def test_the_client_itself_does_not_retry(eks_client):
    """Retries belong to the api wrappers (one backoff per call), not to the client (which would add a second)."""
    wrapped, stubber, sleeps = eks_client
    stubber.add_client_error("list_addons", service_error_code="ThrottlingException", http_status_code=400)

    with pytest.raises(botocore.exceptions.ClientError):
        wrapped.list_addons(clusterName="c")
    assert sleeps == []


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
    assert "'EC2-VPC Elastic IPs' reached (AddressLimitExceeded): 5 elastic IP addresses in use in" in text
    assert "in use in ap-northeast-2. Either release" in text
    assert "--service-code ec2 --quota-code L-0263D0A3 --desired-value N --region ap-northeast-2" in text
    assert "release elastic IP addresses nothing uses (aws ec2 describe-addresses, aws ec2 release-address)" in text
    assert "run again" in text
    nat = errors.quota_advice("NatGatewayLimitExceeded", region="ap-northeast-2", in_use=0)
    assert "0 pending or available NAT gateways in use in ap-northeast-2" in nat
    assert "Either delete NAT gateways nothing routes to, or set vpc.nat to single, or raise the quota" in nat
    # Without a count or a region (EksError's own advice): the quota is used up, no --region.
    bare = errors.quota_advice("SecurityGroupLimitExceeded")
    assert "(SecurityGroupLimitExceeded): the quota is used up. Either delete security groups nothing uses" in bare
    assert "--quota-code L-E79EC296 --desired-value N);" in bare
    eks = errors.quota_advice("ResourceLimitExceededException", region="ap-northeast-2")
    assert "--service-code eks --region ap-northeast-2)" in eks and "--quota-code" not in eks
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


def test_not_found_lag_pauses_start_short_and_double_up_to_the_delay(monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(retry.time, "monotonic", clock.monotonic)
    monkeypatch.setattr(retry.time, "sleep", clock.sleep)
    monkeypatch.delenv("AEWS_EKS_WAIT_DELAY", raising=False)
    calls = []

    def modify():
        calls.append(clock.now - 1000.0)
        if len(calls) < 7:
            raise client_error("InvalidVpcID.NotFound", message="The vpc ID 'vpc-1' does not exist")
        return "modified"

    retrying = retry.not_found_lag(timeout=60)
    assert retrying.call("ModifyVpcAttribute vpc-1", modify) == "modified"
    # 0.25 s, then doubling up to the 2 s delay: a lag of a moment costs a moment, a long one is not polled fast.
    assert calls == [0.0, 0.25, 0.75, 1.75, 3.75, 5.75, 7.75]
    assert retrying.notes == [
        "ModifyVpcAttribute vpc-1: waited 8s over 7 attempts (EC2 did not yet know an id it had just handed out)"
    ]


def test_not_found_lag_gives_up_at_its_timeout(monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(retry.time, "monotonic", clock.monotonic)
    monkeypatch.setattr(retry.time, "sleep", clock.sleep)
    calls = []

    def attach():
        calls.append(clock.now - 1000.0)
        raise client_error("InvalidInternetGatewayID.NotFound", message="igw-1 does not exist")

    retrying = retry.not_found_lag(timeout=5, delay=2)
    with pytest.raises(botocore.exceptions.ClientError):
        retrying.call("AttachInternetGateway igw-1", attach)
    assert calls == [0.0, 0.25, 0.75, 1.75, 3.75]  # the next pause (2 s) would end past the 5 s timeout
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


# ---------------------------------------------------------------- retries attached to every api wrapper
import ast  # noqa: E402
import inspect  # noqa: E402

from ansible_collections.aews.eks.plugins.module_utils._eks import vocabulary  # noqa: E402

_API_TREE = ast.parse(inspect.getsource(api))


def _calls_client(node):
    """Whether a function's body calls a method of its ``client`` argument (a boto3 call) or pages through one."""
    for call in ast.walk(node):
        if not isinstance(call, ast.Call):
            continue
        func = call.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "client":
            return True
        if isinstance(func, ast.Name) and func.id == "_paginate":
            return True
    return False


# The functions that make wrappers (the table's rows, the EC2 tagging pair): what they make is checked instead.
_FACTORIES = {"_paginate", "_one_call", "_ec2_tagging"}


def _api_functions():
    return [n for n in _API_TREE.body if isinstance(n, ast.FunctionDef)]


def _made_wrappers():
    """The wrappers api.py makes by assignment (the table's rows, the tagging pairs), by name."""
    names = set(api._ONE_CALL)
    for node in _API_TREE.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            func = node.value.func
            if isinstance(func, ast.Name) and func.id == "_ec2_tagging":
                names.update(t.id for t in node.targets[0].elts)
    return {name: getattr(api, name) for name in sorted(names)}


def test_every_api_function_that_calls_boto3_is_retried():
    """Any function of api.py that calls a client method (directly or through _paginate) carries the retry; a
    public function that does not call the client itself only calls such functions. Wrappers added with
    _common / _describe / _delete get it without anything more."""
    unretried = []
    checked = 0
    for node in _api_functions():
        if node.name in _FACTORIES or not _calls_client(node):
            continue
        checked += 1
        if not retry.is_retried(getattr(api, node.name)):
            unretried.append(node.name)
    for name, wrapper in _made_wrappers().items():
        checked += 1
        if not retry.is_retried(wrapper):
            unretried.append(name)
    assert checked > 140
    assert unretried == [], f"api functions calling boto3 without the retry decorator: {unretried}"


def test_public_functions_that_delegate_call_retried_functions():
    """create_cluster, describe_subnets ...: they do not call the client but a private function that does."""
    functions = {n.name: n for n in _api_functions()}
    delegating = [n for n in functions.values() if not n.name.startswith("_") and not _calls_client(n)]
    assert {"describe_subnets", "describe_tags_v2"} <= {n.name for n in delegating}
    for node in delegating:
        callees = {c.id for c in ast.walk(node) if isinstance(c, ast.Name) and c.id in functions}
        for callee in callees:
            if callee != "_paginate" and _calls_client(functions[callee]):
                assert retry.is_retried(getattr(api, callee)), f"{node.name} calls {callee}, which is not retried"


def test_the_check_catches_an_undecorated_wrapper():
    source = "def describe_thing(client, name):\n    return client.describe_thing(Name=name)\n"
    node = ast.parse(source).body[0]
    namespace = {}
    exec(compile(source, "<test>", "exec"), namespace)  # noqa: S102 # pylint: disable=exec-used
    assert _calls_client(node) and not retry.is_retried(namespace["describe_thing"])
    assert retry.is_retried(retry.aws_call("describe the thing")(namespace["describe_thing"]))


def test_a_fault_in_a_later_page_lists_again_from_the_first(eks_client):
    wrapped, stubber, sleeps = eks_client
    stubber.add_response("list_clusters", {"clusters": ["a"], "nextToken": "t1"}, {})
    stubber.add_client_error("list_clusters", "ServerException", "internal error", 500, {"nextToken": "t1"})
    stubber.add_response("list_clusters", {"clusters": ["a"], "nextToken": "t1"}, {})
    stubber.add_response("list_clusters", {"clusters": ["b"]}, {"nextToken": "t1"})

    assert api.list_clusters(wrapped) == ["a", "b"]
    stubber.assert_no_pending_responses()
    assert len(sleeps) == 1


def test_a_plain_boto3_client_is_retried_too(monkeypatch):
    sleeps = []
    monkeypatch.setattr("time.sleep", sleeps.append)
    plain = boto3.client("iam", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    with Stubber(plain) as stubber:
        stubber.add_client_error("get_role", service_error_code="Throttling", http_status_code=400)
        stubber.add_response("get_role", {"Role": _role("r")}, {"RoleName": "r"})
        assert api.get_role(plain, "r")["RoleName"] == "r"
    assert len(sleeps) == 1


def _role(name):
    import datetime  # pylint: disable=import-outside-toplevel

    return {
        "Path": "/",
        "RoleName": name,
        "RoleId": "AROAEXAMPLEEXAMPLE01",
        "Arn": f"arn:aws:iam::123456789012:role/{name}",
        "CreateDate": datetime.datetime(2025, 1, 1),
    }


# ---------------------------------------------------------------- "not there", per resource
@pytest.mark.parametrize(
    "service, operation, code, call",
    [
        ("eks", "describe_cluster", "ResourceNotFoundException", lambda c: api.describe_cluster(c, "x")),
        ("iam", "get_role", "NoSuchEntity", lambda c: api.get_role(c, "x")),
        (
            "ec2",
            "describe_launch_templates",
            "InvalidLaunchTemplateName.NotFoundException",
            lambda c: api.describe_launch_templates(c, name="missing-lt"),
        ),
    ],
)
def test_the_resources_missing_code_means_not_there(monkeypatch, service, operation, code, call):
    monkeypatch.setattr("time.sleep", lambda s: pytest.fail("slept"))
    plain = boto3.client(service, region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    with Stubber(plain) as stubber:
        stubber.add_client_error(operation, service_error_code=code, http_status_code=400)
        assert call(common.client(_Module(plain), service)) in (None, [])


@pytest.mark.parametrize(
    "service, operation, code, call",
    [
        # Another service's "not found" is an error, not "the role is not there".
        ("iam", "get_role", "ResourceNotFoundException", lambda c: api.get_role(c, "x")),
        ("eks", "describe_cluster", "NoSuchEntity", lambda c: api.describe_cluster(c, "x")),
        # A launch template wrapper does not take a key pair's code.
        (
            "ec2",
            "describe_launch_templates",
            "InvalidKeyPair.NotFound",
            lambda c: api.describe_launch_templates(c, name="missing-lt"),
        ),
    ],
)
def test_another_resources_missing_code_is_an_error(monkeypatch, service, operation, code, call):
    monkeypatch.setattr("time.sleep", lambda s: pytest.fail("slept"))
    plain = boto3.client(service, region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    with Stubber(plain) as stubber:
        stubber.add_client_error(operation, service_error_code=code, http_status_code=400)
        with pytest.raises(EksError) as raised:
            call(common.client(_Module(plain), service))
    assert raised.value.code == code


def test_a_delete_of_what_is_gone_is_false_and_not_retried(monkeypatch):
    monkeypatch.setattr("time.sleep", lambda s: pytest.fail("slept"))
    plain = boto3.client("eks", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    with Stubber(plain) as stubber:
        stubber.add_client_error("delete_nodegroup", service_error_code="ResourceNotFoundException")
        assert api.delete_nodegroup(plain, "c", "ng") is False


def test_missing_codes():
    assert vocabulary.missing_codes(service="iam") == ("NoSuchEntity",)
    assert vocabulary.missing_codes("launch_template") == vocabulary.MISSING_CODES["launch_template"]
    assert "InvalidKeyPair.NotFound" in vocabulary.missing_codes(service="ec2")
    # Not a boto3 client: every code known.
    assert set(vocabulary.missing_codes()) == {c for codes in vocabulary.MISSING_CODES.values() for c in codes}
    assert errors.MISSING_CODES == vocabulary.missing_codes()


def test_each_made_wrapper_has_its_own_retry_and_the_name_of_its_row():
    wrappers = _made_wrappers()
    assert len(wrappers) > 90
    assert len({id(w) for w in wrappers.values()}) == len(wrappers)
    assert all(w.__name__ == name for name, w in wrappers.items() if name in api._ONE_CALL)


def test_a_row_takes_its_arguments_by_position_or_name_and_refuses_others():
    calls = []

    class Client:
        def tag_resource(self, **request):
            calls.append(request)

    api.tag_resource(Client(), "arn:x", {"k": "v"})
    api.tag_resource(Client(), arn="arn:y", tags={})
    assert calls == [{"resourceArn": "arn:x", "tags": {"k": "v"}}, {"resourceArn": "arn:y", "tags": {}}]
    with pytest.raises(TypeError, match="arn, tags"):
        api.tag_resource(Client(), "arn:x")
    with pytest.raises(TypeError):
        api.tag_resource(Client(), "arn:x", {}, bogus=1)


def test_a_row_sends_sequences_as_lists_and_returns_what_it_names():
    class Client:
        def untag_resource(self, **request):
            self.request = request
            return {"ResponseMetadata": {}}

        def describe_cluster(self, **request):
            return {"cluster": {"name": request["name"]}, "ResponseMetadata": {}}

        def delete_cluster(self, **request):
            return {"cluster": {}}

    client = Client()
    assert api.untag_resource(client, "arn:x", ("a", "b")) is None
    assert client.request == {"resourceArn": "arn:x", "tagKeys": ["a", "b"]}
    assert api.describe_cluster(client, "c") == {"name": "c"}
    assert api.delete_cluster(client, "c") is True


def test_a_create_retries_its_call_while_iam_propagates_and_names_it(eks_client):
    """create_cluster: a client request token, then CreateCluster (retried on throttling)."""
    wrapped, stubber, sleeps = eks_client
    request = {"name": "c", "roleArn": "arn:aws:iam::111122223333:role/r", "resourcesVpcConfig": {}}
    token = api.request_token("cluster", request)
    stubber.add_client_error("create_cluster", service_error_code="ThrottlingException", http_status_code=400)
    stubber.add_response("create_cluster", {"cluster": {"name": "c"}}, dict(request, clientRequestToken=token))

    assert api.create_cluster(wrapped, **request) == {"name": "c"}
    stubber.assert_no_pending_responses()
    assert len(sleeps) == 1
