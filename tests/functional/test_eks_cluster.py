"""eks_cluster against the local AWS endpoint: every change in four steps (check, apply, check, apply)."""

from __future__ import annotations

import json
import time
import urllib.request

import boto3
import pytest
from module_runner import run_module

NAME = "myeks"
KEY_POLICY_NONE = None


def _requests(local_aws):
    """Every request the endpoint logged, or None when it keeps no log."""
    try:
        with urllib.request.urlopen(local_aws.url + "/_aews/requests", timeout=10) as response:
            body = json.loads(response.read() or b"null")
    except Exception:
        return None
    if isinstance(body, dict):
        body = body.get("requests")
    return body if isinstance(body, list) else None


class Calls:
    """The requests made since it was created (or last marked), from the endpoint's request log."""

    def __init__(self, local_aws):
        self.local_aws = local_aws
        self.mark()

    def mark(self):
        self.start = len(_requests(self.local_aws) or [])

    def since(self):
        log = _requests(self.local_aws)
        return None if log is None else log[self.start :]

    def mutating(self):
        log = self.since()
        return None if log is None else [r.get("operation") for r in log if r.get("mutating")]

    def assert_no_mutating_call(self):
        mutating = self.mutating()
        if mutating is not None:
            assert mutating == []


def eks():
    return boto3.client("eks")


def run(params, check=False, diff=False, **kwargs):
    return run_module("eks_cluster", dict(params), check_mode=check, diff=diff, **kwargs)


def four_steps(local_aws, params, check_expect=None):
    """check -> apply -> check (no change) -> apply (no change); returns (check result, apply result).

    Asserts that the check run made no mutating call and that the cluster did not change under it.
    """
    calls = Calls(local_aws)
    before = _describe()
    predicted = run(params, check=True, diff=True)
    assert predicted["changed"] is True
    calls.assert_no_mutating_call()
    assert _describe() == before
    if check_expect:
        check_expect(predicted["cluster"])
    applied = run(params, diff=True)
    assert applied["changed"] is True
    again = run(params, check=True)
    assert again["changed"] is False, again["cluster"].get("updates")
    assert again["cluster"].get("updates") == []
    calls.mark()
    final = run(params)
    assert final["changed"] is False
    assert final["cluster"].get("updates") == []
    calls.assert_no_mutating_call()
    return predicted, applied


def _describe(name=NAME):
    try:
        cluster = eks().describe_cluster(name=name)["cluster"]
    except eks().exceptions.ResourceNotFoundException:
        return None
    cluster.pop("createdAt", None)
    return cluster


@pytest.fixture
def base(local_aws, cluster_role, vpc_subnets):
    """Parameters that create the cluster, in the seed's shape (public endpoint, IPv4)."""
    return dict(
        name=NAME,
        role_arn=cluster_role,
        subnet_ids=vpc_subnets["subnet_ids"][:2],
        security_group_ids=[vpc_subnets["security_group_id"]],
        endpoint_public_access=True,
        endpoint_private_access=False,
        kubernetes_network_config={"ip_family": "ipv4"},
        tags={"env": "study", "Owner": "Team A"},
    )


@pytest.fixture
def created(base):
    """The cluster, created by the module; returns the parameters that made it."""
    run(base)
    return base


# ---------------------------------------------------------------- create
def test_create_four_steps(local_aws, base, vpc_subnets):
    def expect(predicted):
        assert predicted["status"] == "CREATING"
        assert predicted["resources_vpc_config"]["subnet_ids"] == base["subnet_ids"]
        assert predicted["tags"] == {"env": "study", "Owner": "Team A"}
        assert [u["type"] for u in predicted["updates"]] == ["CreateCluster"]

    predicted, applied = four_steps(local_aws, base, expect)
    assert predicted["diff"]["before"] == {}
    cluster = applied["cluster"]
    assert cluster["status"] == "ACTIVE"
    assert cluster["arn"].endswith(f":cluster/{NAME}")
    assert cluster["endpoint"].startswith("https://")
    assert cluster["certificate_authority"]["data"]
    assert cluster["identity"]["oidc"]["issuer"].startswith("https://oidc.eks.")
    assert cluster["role_arn"] == base["role_arn"]
    assert cluster["resources_vpc_config"]["subnet_ids"] == base["subnet_ids"]
    assert cluster["resources_vpc_config"]["security_group_ids"] == [vpc_subnets["security_group_id"]]
    assert cluster["resources_vpc_config"]["endpoint_public_access"] is True
    assert cluster["resources_vpc_config"]["endpoint_private_access"] is False
    assert cluster["tags"] == {"env": "study", "Owner": "Team A"}
    assert cluster["enabled_log_types"] == []
    assert [u["type"] for u in cluster["updates"]] == ["CreateCluster"]
    assert cluster["updates"][0]["params"]["bootstrapSelfManagedAddons"] is False
    assert applied["diff"]["after"]["name"] == NAME


def test_create_with_logging_and_access_config(local_aws, base):
    params = dict(base, logging=["api", "audit"], access_config={"authentication_mode": "API"})
    _, applied = four_steps(local_aws, params)
    assert applied["cluster"]["enabled_log_types"] == ["api", "audit"]
    sent = applied["cluster"]["updates"][0]["params"]
    assert sent["accessConfig"] == {"authenticationMode": "API"}
    assert sent["logging"]["clusterLogging"][0] == {"types": ["api", "audit"], "enabled": True}


@pytest.mark.parametrize(
    "drop, missing",
    [(["role_arn"], "role_arn"), (["subnet_ids"], "subnet_ids"), (["role_arn", "subnet_ids"], "role_arn and subnet_ids")],
)
def test_create_names_missing_options(local_aws, base, drop, missing):
    calls = Calls(local_aws)
    params = {k: v for k, v in base.items() if k not in drop}
    result = run(params, expect_failure=True)
    assert result["msg"] == f"Creating cluster {NAME} needs {missing}"
    calls.assert_no_mutating_call()
    assert _describe() is None


@pytest.mark.parametrize(
    "overrides, message",
    [
        (dict(endpoint_public_access=False, endpoint_private_access=False), "cannot both be false"),
        (dict(version="133"), "version: '133' is not a Kubernetes minor version"),
        (dict(encryption="alias/my-key"), "encryption: 'alias/my-key' is not a KMS key ARN"),
        (dict(public_access_cidrs=["1.2.3.0/33"]), "public_access_cidrs: '1.2.3.0/33' is not a CIDR block"),
    ],
)
def test_bad_input_fails_before_any_call(local_aws, base, overrides, message):
    calls = Calls(local_aws)
    result = run(dict(base, **overrides), expect_failure=True)
    assert message in result["msg"]
    log = calls.since()
    if log is not None:
        assert log == []
    assert _describe() is None


# ---------------------------------------------------------------- tags
def test_tags_four_steps(local_aws, created):
    tags = {"env": "prod", "Owner": "Team A", "Cost Center": "42"}

    def expect(predicted):
        assert predicted["tags"] == tags

    predicted, applied = four_steps(local_aws, {"name": NAME, "tags": tags}, expect)
    assert [u["type"] for u in applied["cluster"]["updates"]] == ["TagResource"]
    assert applied["cluster"]["updates"][0]["params"] == {"tags": {"env": "prod", "Cost Center": "42"}}
    assert applied["diff"]["before"]["tags"] == {"env": "study", "Owner": "Team A"}
    assert applied["diff"]["after"]["tags"] == tags
    assert _describe()["tags"] == tags


def test_tags_purge(local_aws, created):
    _, applied = four_steps(local_aws, {"name": NAME, "tags": {"env": "study"}})
    assert [u["type"] for u in applied["cluster"]["updates"]] == ["UntagResource"]
    assert _describe()["tags"] == {"env": "study"}


def test_tags_without_purge_and_not_given(local_aws, created):
    _, applied = four_steps(local_aws, {"name": NAME, "tags": {"new": "1"}, "purge_tags": False})
    assert _describe()["tags"] == {"env": "study", "Owner": "Team A", "new": "1"}
    # Tags not given: left as they are.
    assert run({"name": NAME})["changed"] is False
    assert _describe()["tags"] == {"env": "study", "Owner": "Team A", "new": "1"}


# ---------------------------------------------------------------- immutables
def test_immutable_role_fails_before_any_change(local_aws, created, cluster_role):
    other = boto3.client("iam").create_role(
        RoleName="other-role",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]
    calls = Calls(local_aws)
    result = run({"name": NAME, "role_arn": other, "tags": {"changed": "yes"}}, expect_failure=True)
    assert result["msg"].startswith(f"Cluster {NAME} cannot change in place: role_arn (is {cluster_role}")
    calls.assert_no_mutating_call()
    assert _describe()["tags"] == {"env": "study", "Owner": "Team A"}


def test_immutable_network_config_named_each(local_aws, created):
    params = {
        "name": NAME,
        "kubernetes_network_config": {"ip_family": "ipv6"},
        "role_arn": "arn:aws:iam::123456789012:role/another",
    }
    result = run(params, expect_failure=True)
    assert "role_arn (is " in result["msg"]
    assert "kubernetes_network_config.ip_family (is ipv4, asked ipv6)" in result["msg"]
    assert len(result["immutable"]) == 2


# ---------------------------------------------------------------- absent
def test_absent_missing_cluster_is_no_change(local_aws):
    calls = Calls(local_aws)
    for check in (True, False):
        result = run({"name": NAME, "state": "absent"}, check=check)
        assert result["changed"] is False
        assert result["cluster"] == {}
    calls.assert_no_mutating_call()


def test_absent_four_steps(local_aws, created):
    calls = Calls(local_aws)
    predicted = run({"name": NAME, "state": "absent"}, check=True, diff=True)
    assert predicted["changed"] is True
    assert predicted["deleted"] == [{"type": "DeleteCluster", "params": {"name": NAME}}]
    assert predicted["diff"]["before"]["name"] == NAME and predicted["diff"]["after"] == {}
    calls.assert_no_mutating_call()
    assert _describe() is not None
    applied = run({"name": NAME, "state": "absent"})
    assert applied["changed"] is True
    assert _describe() is None
    assert run({"name": NAME, "state": "absent"}, check=True)["changed"] is False
    assert run({"name": NAME, "state": "absent"})["changed"] is False


def _add_nodegroup(vpc_subnets, name="ng-1"):
    iam = boto3.client("iam")
    role = iam.create_role(
        RoleName=f"{name}-node",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ],
            }
        ),
    )["Role"]["Arn"]
    client = eks()
    client.create_nodegroup(
        clusterName=NAME, nodegroupName=name, nodeRole=role, subnets=vpc_subnets["subnet_ids"][:2]
    )
    client.get_waiter("nodegroup_active").wait(
        clusterName=NAME, nodegroupName=name, WaiterConfig={"Delay": 0.5, "MaxAttempts": 120}
    )


def test_absent_refuses_while_nodegroups_remain(local_aws, created, vpc_subnets):
    _add_nodegroup(vpc_subnets, "ng-1")
    _add_nodegroup(vpc_subnets, "ng-2")
    calls = Calls(local_aws)
    result = run({"name": NAME, "state": "absent"}, expect_failure=True)
    assert result["msg"] == (
        f"Cluster {NAME} still has nodegroups ng-1, ng-2; delete them first, or set force=true "
        "to delete them with the cluster"
    )
    assert result["nodegroups"] == ["ng-1", "ng-2"]
    calls.assert_no_mutating_call()
    assert _describe() is not None


def test_absent_force_deletes_nodegroups_then_cluster(local_aws, created, vpc_subnets):
    _add_nodegroup(vpc_subnets, "ng-1")
    params = {"name": NAME, "state": "absent", "force": True}
    calls = Calls(local_aws)
    predicted = run(params, check=True)
    assert predicted["changed"] is True
    assert [d["type"] for d in predicted["deleted"]] == ["DeleteNodegroup", "DeleteCluster"]
    calls.assert_no_mutating_call()
    assert eks().list_nodegroups(clusterName=NAME)["nodegroups"] == ["ng-1"]
    calls.mark()
    applied = run(params)
    assert applied["changed"] is True
    assert applied["deleted"][0] == {"type": "DeleteNodegroup", "params": {"nodegroups": ["ng-1"]}}
    assert _describe() is None
    mutating = calls.mutating()
    if mutating is not None:
        assert mutating == ["DeleteNodegroup", "DeleteCluster"]
    assert run(params, check=True)["changed"] is False
    assert run(params)["changed"] is False


# ---------------------------------------------------------------- info
def test_info_one_all_and_missing(local_aws, created, vpc_subnets):
    _add_nodegroup(vpc_subnets, "ng-1")
    run(dict(created, name="other", tags={}))
    one = run_module("eks_cluster_info", {"name": NAME})
    assert one["changed"] is False
    assert len(one["clusters"]) == 1
    info = one["clusters"][0]
    assert info["name"] == NAME and info["status"] == "ACTIVE"
    assert info["nodegroups"] == ["ng-1"]
    assert info["addons"] == []
    assert info["tags"] == {"env": "study", "Owner": "Team A"}
    assert info["certificate_authority"]["data"]
    # The same shape eks_cluster returns.
    managed = run({"name": NAME})["cluster"]
    assert {k: v for k, v in info.items() if k not in ("nodegroups", "addons")} == {
        k: v for k, v in managed.items() if k != "updates"
    }
    everything = run_module("eks_cluster_info", {})
    assert sorted(c["name"] for c in everything["clusters"]) == [NAME, "other"]
    assert run_module("eks_cluster_info", {"name": "nope"})["clusters"] == []
    assert run_module("eks_cluster_info", {"name": NAME}, check_mode=True)["clusters"][0]["name"] == NAME
