"""The test controls of the local endpoint: delays, faults, failure injection, request log, reset."""

from __future__ import annotations

import json
import time
import urllib.error
from datetime import datetime

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.retries.standard import RetryContext
from botocore.retries.standard import ThrottledRetryableChecker

from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError
from ansible_collections.aews.eks.plugins.module_utils._eks.waiters import wait
from local_aws.controls import Controls
from local_aws_tests.helpers import REGION
from local_aws_tests.helpers import error_of
from local_aws_tests.helpers import wait_for


def _client(service, **config):
    return boto3.client(service, region_name=REGION, config=Config(**config))


def _create_cluster(eks, network, name):
    return eks.create_cluster(
        name=name, roleArn=network["cluster_role"], resourcesVpcConfig={"subnetIds": network["subnets"]}
    )


def _seconds_until(describe, path, wanted, timeout=10):
    start = time.monotonic()
    wait_for(describe, path, wanted, timeout)
    return time.monotonic() - start


# ---------------------------------------------------------------------------------------------- delays
def test_server_defaults_suit_a_demo(local_aws):
    local_aws.post("/_aews/reset")
    assert local_aws.get("/_aews/config") == {
        "delays": {"cluster": 3.0, "nodegroup": 2.0, "addon": 1.0, "update": 2.0},
        "scale": 1.0,
        "strict": True,
        "withdrawn_addons": {},
        # the realism controls, all off (profile ideal)
        "profile": "ideal",
        "seed": 0,
        "iam_propagation": None,
        "ec2_lag": 0,
        "nat_gateway": None,
        "eni_linger": 0,
        "quotas": {"addresses": None, "vpcs": None, "internet_gateways": None, "nat_gateways_per_az": None},
        "unsupported_zones": [],
        "service_linked_roles": False,
        "security_group_references": False,
    }


def test_transitions_take_the_configured_time(local_aws, eks, network):
    local_aws.configure(delays={"cluster": 0.8, "update": 0.6})
    started = time.monotonic()
    _create_cluster(eks, network, "timed")
    took = _seconds_until(lambda: eks.describe_cluster(name="timed"), ["cluster", "status"], ["ACTIVE"])
    assert 0.8 <= time.monotonic() - started and took < 0.8 + 1.0
    update = eks.update_cluster_config(name="timed", upgradePolicy={"supportType": "STANDARD"})["update"]
    took = _seconds_until(lambda: eks.describe_cluster(name="timed"), ["cluster", "status"], ["ACTIVE"])
    assert 0.5 <= took < 0.6 + 1.0
    assert eks.describe_update(name="timed", updateId=update["id"])["update"]["status"] == "Successful"

    # The scale factor stretches every delay.
    local_aws.configure(delays={"cluster": 0.4}, scale=2.0)
    eks.delete_cluster(name="timed")
    started = time.monotonic()
    while True:
        try:
            eks.client.describe_cluster(name="timed")
        except eks.client.exceptions.ResourceNotFoundException:
            break
        time.sleep(0.05)
    assert 0.75 <= time.monotonic() - started < 0.8 + 1.0


def test_control_errors_are_reported(local_aws):
    import urllib.error

    for path, payload in (
        ("/_aews/config", {"delays": {"planet": 1}}),
        ("/_aews/faults", {"throttle_rate": 2}),
        ("/_aews/inject", {"kind": "volcano", "cluster": "c"}),
        ("/_aews/nothing", {}),
    ):
        with pytest.raises(urllib.error.HTTPError) as raised:
            local_aws.post(path, payload)
        assert raised.value.code == 400
        assert json.loads(raised.value.read())["error"]


# ---------------------------------------------------------------------------------------------- faults
@pytest.mark.parametrize("mode", ["legacy", "standard"])
def test_throttling_is_retried_by_botocore_to_success(local_aws, mode):
    local_aws.faults(throttle_rate=1.0, operations=["ListClusters"], limit=2)
    eks = _client("eks", retries={"mode": mode, "max_attempts": 5})
    response = eks.list_clusters()
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    calls = local_aws.requests(service="eks")
    assert [(c["operation"], c["status"], c["error"], c["injected"]) for c in calls] == [
        ("ListClusters", 400, "ThrottlingException", True),
        ("ListClusters", 400, "ThrottlingException", True),
        ("ListClusters", 200, None, False),
    ]


def test_injected_throttling_is_recognized_as_throttling(local_aws):
    local_aws.faults(fail_next={"operation": "ListClusters", "count": 1})
    eks = _client("eks", retries={"max_attempts": 0})
    with pytest.raises(ClientError) as raised:
        eks.list_clusters()
    assert raised.value.response["Error"]["Code"] == "ThrottlingException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    context = RetryContext(attempt_number=1, parsed_response=raised.value.response)
    assert ThrottledRetryableChecker().is_retryable(context)


@pytest.mark.parametrize(
    "service, method",
    [
        ("ec2", "describe_vpcs"),
        ("iam", "list_roles"),
        ("sts", "get_caller_identity"),
        ("kms", "list_keys"),
        ("logs", "describe_log_groups"),
    ],
)
def test_faults_speak_each_protocol(local_aws, service, method):
    """Throttling then an internal failure on another service's protocol, both retried to success."""
    client = _client(service, retries={"mode": "standard", "total_max_attempts": 3})
    operation = client.meta.method_to_api_mapping[method]
    local_aws.faults(
        fail_next=[
            {"operation": f"{service}:{operation}", "count": 1, "error": "ThrottlingException"},
            {"operation": f"{service}:{operation}", "count": 1, "error": "InternalFailure"},
        ]
    )
    assert getattr(client, method)()["ResponseMetadata"]["RetryAttempts"] == 2
    calls = [(c["status"], c["error"]) for c in local_aws.requests(service=service) if c["operation"] == operation]
    assert calls == [(400, "ThrottlingException"), (500, "InternalFailure"), (200, None)]


def test_fail_next_calls_with_internal_failure(local_aws):
    local_aws.faults(fail_next={"operation": "ListClusters", "count": 3, "error": "InternalFailure"})
    eks = _client("eks", retries={"mode": "standard", "total_max_attempts": 2})
    assert error_of(eks.list_clusters) == ("InternalFailure", 500)
    assert eks.list_clusters()["ResponseMetadata"]["RetryAttempts"] == 1
    assert [c["status"] for c in local_aws.requests(service="eks")] == [500, 500, 500, 200]


def test_seeded_rates_repeat(local_aws):
    eks = _client("eks", retries={"max_attempts": 0})

    def outcomes():
        seen = []
        for _attempt in range(24):
            try:
                eks.list_clusters()
                seen.append("ok")
            except ClientError as e:
                seen.append(e.response["Error"]["Code"])
        return seen

    local_aws.faults(throttle_rate=0.3, error_rate=0.2, seed=7)
    first = outcomes()
    local_aws.faults(throttle_rate=0.3, error_rate=0.2, seed=7)
    assert outcomes() == first
    assert {"ok", "ThrottlingException", "InternalFailure"} == set(first)
    local_aws.faults(throttle_rate=1.0, operations=["eks:DescribeCluster"])
    assert eks.list_clusters()["clusters"] == []  # other operations are left alone


# ---------------------------------------------------------------------------------------------- request log
def test_request_log_covers_every_service(local_aws, eks, network):
    boto3.client("sts", region_name=REGION).get_caller_identity()
    eks.list_clusters()
    calls = {(c["service"], c["operation"]): c for c in local_aws.requests()}
    for key, mutating in (
        (("ec2", "CreateVpc"), True),
        (("ec2", "CreateSubnet"), True),
        (("iam", "CreateRole"), True),
        (("sts", "GetCallerIdentity"), False),
        (("eks", "ListClusters"), False),
    ):
        assert calls[key]["mutating"] is mutating, key
        assert calls[key]["kind"] == ("mutating" if mutating else "read")
        assert calls[key]["region"] in (REGION, "us-east-1")
        datetime.fromisoformat(calls[key]["timestamp"])
    assert local_aws.requests(mutating=True) and all(c["mutating"] for c in local_aws.requests(mutating=True))
    local_aws.clear_requests()
    assert local_aws.requests() == []


def test_request_log_file(tmp_path):
    path = tmp_path / "requests.jsonl"
    controls = Controls(log_path=str(path))
    controls.record({"service": "eks", "operation": "ListClusters", "mutating": False})
    controls.record({"service": "ec2", "operation": "CreateVpc", "mutating": True})
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["operation"] for line in lines] == ["ListClusters", "CreateVpc"]


# ---------------------------------------------------------------------------------------------- injection
def _raises_quickly(call, *fragments):
    started = time.monotonic()
    with pytest.raises(EksError) as raised:
        call()
    elapsed = time.monotonic() - started
    assert elapsed < 5, f"the waiter took {elapsed:.1f}s to stop"
    for fragment in fragments:
        assert fragment in str(raised.value), str(raised.value)
    return raised.value


def test_injected_cluster_failure_stops_the_waiter(local_aws, eks, network, raw_eks):
    issue = {
        "code": "Ec2SubnetNotFound",
        "message": "The subnet ID 'subnet-1' does not exist",
        "resourceIds": ["subnet-1"],
    }
    local_aws.inject(kind="cluster", cluster="doomed", health_issues=[issue])
    _create_cluster(eks, network, "doomed")
    error = _raises_quickly(
        lambda: wait(raw_eks, "cluster_active", 60, "cluster doomed to be ACTIVE", name="doomed"),
        "FAILED",
        "The subnet ID 'subnet-1' does not exist",
    )
    assert error.kwargs["details"] == [issue]
    assert eks.describe_cluster(name="doomed")["cluster"]["health"]["issues"] == [issue]


def test_injected_degraded_nodegroup_stops_the_waiter(local_aws, eks, active_cluster, network, raw_eks):
    eks.create_nodegroup(
        clusterName="c1", nodegroupName="ng", subnets=network["subnets"], nodeRole=network["node_role"]
    )
    wait(raw_eks, "nodegroup_active", 30, "ng", clusterName="c1", nodegroupName="ng")
    applied = local_aws.inject(kind="nodegroup", cluster="c1", nodegroup="ng", status="DEGRADED", now=True)
    assert applied["applied_now"] is True
    _raises_quickly(
        lambda: wait(raw_eks, "nodegroup_active", 60, "node group ng", clusterName="c1", nodegroupName="ng"),
        "DEGRADED",
        "NodeCreationFailure: Instances failed to join the kubernetes cluster",
    )


def test_injected_addon_failure_stops_the_waiter(local_aws, eks, active_cluster, raw_eks):
    local_aws.inject(kind="addon", cluster="c1", addon="vpc-cni")
    eks.create_addon(clusterName="c1", addonName="vpc-cni")
    _raises_quickly(
        lambda: wait(raw_eks, "addon_active", 60, "add-on vpc-cni", clusterName="c1", addonName="vpc-cni"),
        "CREATE_FAILED",
        "ConfigurationConflict",
    )


def test_injected_update_failure_stops_the_waiter(local_aws, eks, active_cluster, network, raw_eks):
    eks.create_nodegroup(
        clusterName="c1", nodegroupName="ng", subnets=network["subnets"], nodeRole=network["node_role"]
    )
    wait(raw_eks, "nodegroup_active", 30, "ng", clusterName="c1", nodegroupName="ng")
    error = {
        "errorCode": "PodEvictionFailure",
        "errorMessage": "Reached max retries while trying to evict pods",
        "resourceIds": ["i-1"],
    }
    local_aws.inject(kind="update", cluster="c1", nodegroup="ng", errors=[error])
    update = eks.update_nodegroup_config(
        clusterName="c1", nodegroupName="ng", labels={"addOrUpdateLabels": {"x": "1"}}
    )["update"]
    _raises_quickly(
        lambda: wait(
            raw_eks, "update_successful", 60, "the update", name="c1", updateId=update["id"], nodegroupName="ng"
        ),
        "Failed",
        "PodEvictionFailure: Reached max retries while trying to evict pods",
    )
    ng = eks.describe_nodegroup(clusterName="c1", nodegroupName="ng")["nodegroup"]
    assert ng["status"] == "ACTIVE" and "x" not in ng["labels"]  # a failed update changes nothing


def test_injected_cluster_update_failure(local_aws, eks, active_cluster, raw_eks):
    local_aws.inject(kind="update", cluster="c1")
    update = eks.update_cluster_version(name="c1", version="1.33")["update"]
    _raises_quickly(
        lambda: wait(raw_eks, "update_successful", 60, "the upgrade", name="c1", updateId=update["id"]), "Failed"
    )
    assert (
        wait_for(lambda: eks.describe_cluster(name="c1"), ["cluster", "status"], ["ACTIVE"])["cluster"]["version"]
        == "1.32"
    )


# ---------------------------------------------------------------------------------------------- reset
def test_reset_forgets_everything(local_aws, eks, network, ec2):
    _create_cluster(eks, network, "temp")
    local_aws.faults(throttle_rate=0.5)
    local_aws.inject(kind="cluster", cluster="later")
    local_aws.reset()
    assert eks.list_clusters()["clusters"] == []
    assert [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v["IsDefault"]] == []
    assert local_aws.get("/_aews/faults")["throttle_rate"] == 0
    assert local_aws.get("/_aews/inject")["pending"] == []
    assert [c["operation"] for c in local_aws.requests()] == ["ListClusters", "DescribeVpcs"]
    # moto's own reset forgets the EKS state too.
    local_aws.configure(strict=False)
    eks.create_cluster(name="again", roleArn=network["cluster_role"], resourcesVpcConfig={"subnetIds": ["subnet-1"]})
    local_aws.post("/moto-api/reset")
    assert eks.list_clusters()["clusters"] == []


def test_unimplemented_operation_is_refused_clearly(local_aws, raw_eks, active_cluster):
    with pytest.raises(ClientError) as raised:
        raw_eks.list_insights(clusterName="c1")
    assert raised.value.response["Error"]["Code"] == "InvalidRequestException"
    assert "not implemented by the local AWS endpoint" in raised.value.response["Error"]["Message"]
    # ... and it is a problem: a test relying on it would pass against a gap of the endpoint, not against EKS.
    problems = local_aws.problems()
    assert len(problems) == 1 and problems[0].startswith("eks:ListInsights answered HTTP 400 InvalidRequestException")
    local_aws.reset()


def test_aws_managed_policies_exist_after_reset(local_aws, iam):
    for name in ("AmazonEKSClusterPolicy", "AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy"):
        assert iam.get_policy(PolicyArn=f"arn:aws:iam::aws:policy/{name}")["Policy"]["PolicyName"] == name
    iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")
    iam.attach_role_policy(RoleName="r", PolicyArn="arn:aws:iam::aws:policy/AmazonEKSClusterPolicy")
    local_aws.reset()
    assert iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/AmazonEKSClusterPolicy")["Policy"]["AttachmentCount"] == 0


# ---------------------------------------------------------------------------------------------- catalogue
def test_withdrawn_addons_are_not_offered_for_those_versions(local_aws, eks, active_cluster):
    assert eks.describe_addon_versions(addonName="metrics-server", kubernetesVersion="1.34")["addons"]
    local_aws.configure(withdrawn_addons={"metrics-server": ["1.34", "1.33"]})
    for k8s in ("1.33", "1.34"):
        assert eks.describe_addon_versions(addonName="metrics-server", kubernetesVersion=k8s)["addons"] == []
    offered = eks.describe_addon_versions(addonName="metrics-server")["addons"][0]["addonVersions"]
    assert offered and all(c["clusterVersion"] not in ("1.33", "1.34") for v in offered for c in v["compatibilities"])
    assert eks.describe_addon_versions(addonName="coredns", kubernetesVersion="1.34")["addons"]
    version = offered[0]["addonVersion"]
    local_aws.configure(withdrawn_addons={"metrics-server": ["1.32"]})  # active_cluster runs 1.32
    code, status = error_of(
        lambda: eks.create_addon(clusterName=active_cluster["name"], addonName="metrics-server", addonVersion=version)
    )
    assert (code, status) == ("InvalidParameterException", 400)
    with pytest.raises(urllib.error.HTTPError) as bad:
        local_aws.configure(withdrawn_addons={"metrics-server": "1.34"})
    assert bad.value.code == 400 and b"withdrawn_addons must be" in bad.value.read()
    local_aws.post("/_aews/reset")
    assert local_aws.get("/_aews/config")["withdrawn_addons"] == {}
