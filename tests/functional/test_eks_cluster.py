"""eks_cluster against the local AWS endpoint: every change in four steps (check, apply, check, apply)."""

from __future__ import annotations

import json
import time
import urllib.request

import boto3
import pytest
from module_runner import run_module

NAME = "myeks"


def _requests(local_aws):
    """Every request the endpoint logged."""
    with urllib.request.urlopen(local_aws.url + "/_aews/requests", timeout=10) as response:
        return json.loads(response.read())["requests"]


class Calls:
    """The requests made since it was created (or last marked), from the endpoint's request log."""

    def __init__(self, local_aws):
        self.local_aws = local_aws
        self.mark()

    def mark(self):
        self.start = len(_requests(self.local_aws))

    def since(self):
        return _requests(self.local_aws)[self.start :]

    def mutating(self):
        return [r["operation"] for r in self.since() if r["mutating"]]

    def assert_no_mutating_call(self):
        assert self.mutating() == []


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

    calls = Calls(local_aws)
    predicted, applied = four_steps(local_aws, base, expect)
    assert calls.mutating() == ["CreateCluster"]
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


def test_create_with_every_option(local_aws, base):
    key = boto3.client("kms").create_key()["KeyMetadata"]["Arn"]
    params = dict(
        base,
        version="1.32",
        endpoint_private_access=True,
        public_access_cidrs=["203.0.113.0/24", "198.51.100.0/24"],
        logging=["all"],
        encryption=key,
        kubernetes_network_config={"ip_family": "ipv4", "service_ipv4_cidr": "10.96.0.0/16"},
        access_config={
            "authentication_mode": "API_AND_CONFIG_MAP",
            "bootstrap_cluster_creator_admin_permissions": False,
        },
        upgrade_policy={"support_type": "STANDARD"},
    )
    calls = Calls(local_aws)
    _predicted, applied = four_steps(local_aws, params)
    assert calls.mutating() == ["CreateCluster"]
    cluster = _describe()
    assert cluster["status"] == "ACTIVE"
    assert cluster["version"] == "1.32"
    assert cluster["resourcesVpcConfig"]["endpointPrivateAccess"] is True
    assert sorted(cluster["resourcesVpcConfig"]["publicAccessCidrs"]) == ["198.51.100.0/24", "203.0.113.0/24"]
    assert cluster["encryptionConfig"] == [{"resources": ["secrets"], "provider": {"keyArn": key}}]
    assert cluster["kubernetesNetworkConfig"]["serviceIpv4Cidr"] == "10.96.0.0/16"
    assert cluster["accessConfig"] == {
        "authenticationMode": "API_AND_CONFIG_MAP",
        "bootstrapClusterCreatorAdminPermissions": False,
    }
    assert cluster["upgradePolicy"] == {"supportType": "STANDARD"}
    assert applied["cluster"]["enabled_log_types"] == [
        "api",
        "audit",
        "authenticator",
        "controllerManager",
        "scheduler",
    ]
    assert applied["cluster"]["encryption_config"][0]["provider"]["key_arn"] == key


def test_create_with_logging_and_access_config(local_aws, base):
    params = dict(base, logging=["api", "audit"], access_config={"authentication_mode": "API"})
    _predicted, applied = four_steps(local_aws, params)
    assert applied["cluster"]["enabled_log_types"] == ["api", "audit"]
    sent = applied["cluster"]["updates"][0]["params"]
    assert sent["accessConfig"] == {"authenticationMode": "API"}
    assert sent["logging"]["clusterLogging"][0] == {"types": ["api", "audit"], "enabled": True}


@pytest.mark.parametrize(
    "drop, missing",
    [
        (["role_arn"], "role_arn"),
        (["subnet_ids"], "subnet_ids"),
        (["role_arn", "subnet_ids"], "role_arn and subnet_ids"),
    ],
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
    assert calls.since() == []
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
    calls = Calls(local_aws)
    _predicted, applied = four_steps(local_aws, {"name": NAME, "tags": {"env": "study"}})
    assert calls.mutating() == ["UntagResource"]
    assert [u["type"] for u in applied["cluster"]["updates"]] == ["UntagResource"]
    assert _describe()["tags"] == {"env": "study"}


def test_tags_without_purge_and_not_given(local_aws, created):
    _predicted, applied = four_steps(local_aws, {"name": NAME, "tags": {"new": "1"}, "purge_tags": False})
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
    client.create_nodegroup(clusterName=NAME, nodegroupName=name, nodeRole=role, subnets=vpc_subnets["subnet_ids"][:2])
    client.get_waiter("nodegroup_active").wait(
        clusterName=NAME, nodegroupName=name, WaiterConfig={"Delay": 0.5, "MaxAttempts": 120}
    )


def test_absent_force_waits_for_a_nodegroup_update(local_aws, created, vpc_subnets):
    _add_nodegroup(vpc_subnets, "ng-1")
    # Long enough that the update is still running when the module gets to the nodegroup.
    local_aws.post("/_aews/config", {"delays": {"update": 8}})
    eks().update_nodegroup_config(
        clusterName=NAME, nodegroupName="ng-1", scalingConfig={"minSize": 1, "maxSize": 3, "desiredSize": 1}
    )
    assert eks().describe_nodegroup(clusterName=NAME, nodegroupName="ng-1")["nodegroup"]["status"] == "UPDATING"
    applied = run({"name": NAME, "state": "absent", "force": True})
    assert applied["changed"] is True
    assert _describe() is None


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
    assert calls.mutating() == ["DeleteNodegroup", "DeleteCluster"]
    assert run(params, check=True)["changed"] is False
    assert run(params)["changed"] is False


# ---------------------------------------------------------------- endpoint access: the seed's three modes
def _updates(result):
    return [(u["type"], u.get("status")) for u in result["cluster"]["updates"]]


def test_endpoint_modes_four_steps_each(local_aws, created):
    public_private = {"name": NAME, "endpoint_public_access": True, "endpoint_private_access": True}

    def expect_public_private(predicted):
        assert predicted["resources_vpc_config"]["endpoint_private_access"] is True
        assert [u["type"] for u in predicted["updates"]] == ["EndpointAccessUpdate"]

    _predicted, applied = four_steps(local_aws, public_private, expect_public_private)
    assert _updates(applied) == [("EndpointAccessUpdate", "Successful")]
    assert applied["cluster"]["updates"][0]["id"]
    assert applied["cluster"]["status"] == "ACTIVE"
    assert applied["diff"]["before"]["resources_vpc_config"]["endpoint_private_access"] is False
    vpc = _describe()["resourcesVpcConfig"]
    assert (vpc["endpointPublicAccess"], vpc["endpointPrivateAccess"]) == (True, True)

    private = {"name": NAME, "endpoint_public_access": False, "endpoint_private_access": True}
    _predicted, applied = four_steps(local_aws, private)
    vpc = _describe()["resourcesVpcConfig"]
    assert (vpc["endpointPublicAccess"], vpc["endpointPrivateAccess"]) == (False, True)

    # Back to public, open to one network only; the private endpoint is left as it is (not given).
    public = {"name": NAME, "endpoint_public_access": True, "public_access_cidrs": ["203.0.113.0/24"]}
    _predicted, applied = four_steps(local_aws, public)
    vpc = _describe()["resourcesVpcConfig"]
    assert (vpc["endpointPublicAccess"], vpc["endpointPrivateAccess"]) == (True, True)
    assert vpc["publicAccessCidrs"] == ["203.0.113.0/24"]


def test_endpoint_both_off_fails_before_any_change(local_aws, created):
    run({"name": NAME, "endpoint_public_access": False, "endpoint_private_access": True})
    calls = Calls(local_aws)
    result = run({"name": NAME, "endpoint_private_access": False}, expect_failure=True)
    assert result["msg"] == "endpoint_public_access and endpoint_private_access cannot both be false"
    calls.assert_no_mutating_call()


# ---------------------------------------------------------------- logging
def test_logging_four_steps(local_aws, created):
    def expect(predicted):
        assert predicted["enabled_log_types"] == ["api", "audit", "authenticator", "controllerManager", "scheduler"]

    _predicted, applied = four_steps(local_aws, {"name": NAME, "logging": ["all"]}, expect)
    assert _updates(applied) == [("LoggingUpdate", "Successful")]
    assert applied["cluster"]["enabled_log_types"] == list(
        ("api", "audit", "authenticator", "controllerManager", "scheduler")
    )
    _predicted, applied = four_steps(local_aws, {"name": NAME, "logging": ["audit"]})
    assert applied["cluster"]["enabled_log_types"] == ["audit"]
    _predicted, applied = four_steps(local_aws, {"name": NAME, "logging": []})
    assert applied["cluster"]["enabled_log_types"] == []


# ---------------------------------------------------------------- subnets and security groups
def test_subnets_and_security_groups_four_steps(local_aws, created, vpc_subnets):
    subnets = vpc_subnets["subnet_ids"]
    _predicted, applied = four_steps(local_aws, {"name": NAME, "subnet_ids": [subnets[1], subnets[2]]})
    assert _updates(applied) == [("VpcConfigUpdate", "Successful")]
    vpc = _describe()["resourcesVpcConfig"]
    assert sorted(vpc["subnetIds"]) == sorted([subnets[1], subnets[2]])
    assert vpc["securityGroupIds"] == [vpc_subnets["security_group_id"]]

    other_group = boto3.client("ec2").create_security_group(
        VpcId=vpc_subnets["vpc_id"], GroupName="second", Description="second"
    )["GroupId"]
    _predicted, applied = four_steps(local_aws, {"name": NAME, "security_group_ids": [other_group]})
    assert _describe()["resourcesVpcConfig"]["securityGroupIds"] == [other_group]
    _predicted, applied = four_steps(local_aws, {"name": NAME, "security_group_ids": []})
    assert _describe()["resourcesVpcConfig"]["securityGroupIds"] == []


def test_subnets_of_another_vpc_fail_naming_the_vpc(local_aws, created, vpc_subnets):
    ec2 = boto3.client("ec2")
    other_vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    other = [
        ec2.create_subnet(VpcId=other_vpc, CidrBlock=cidr, AvailabilityZone=f"ap-northeast-2{az}")["Subnet"]["SubnetId"]
        for cidr, az in (("10.30.0.0/20", "a"), ("10.30.16.0/20", "c"))
    ]
    calls = Calls(local_aws)
    result = run({"name": NAME, "subnet_ids": other, "logging": ["api"]}, expect_failure=True)
    assert result["msg"] == (
        f"Cluster {NAME} cannot change in place: VPC (subnet_ids are in {other_vpc}, "
        f"the cluster is in {vpc_subnets['vpc_id']})"
    )
    calls.assert_no_mutating_call()
    assert _describe()["resourcesVpcConfig"]["subnetIds"] == vpc_subnets["subnet_ids"][:2]


# ---------------------------------------------------------------- authentication mode
def test_authentication_mode_one_way(local_aws, base):
    run(dict(base, access_config={"authentication_mode": "CONFIG_MAP"}))
    assert _describe()["accessConfig"]["authenticationMode"] == "CONFIG_MAP"

    def expect(predicted):
        assert predicted["access_config"]["authentication_mode"] == "API"

    calls = Calls(local_aws)
    _predicted, applied = four_steps(local_aws, {"name": NAME, "access_config": {"authentication_mode": "API"}}, expect)
    assert calls.mutating() == ["UpdateClusterConfig", "UpdateClusterConfig"]
    assert _updates(applied) == [("AccessConfigUpdate", "Successful"), ("AccessConfigUpdate", "Successful")]
    assert [u["params"]["accessConfig"]["authenticationMode"] for u in applied["cluster"]["updates"]] == [
        "API_AND_CONFIG_MAP",
        "API",
    ]
    assert _describe()["accessConfig"]["authenticationMode"] == "API"

    calls = Calls(local_aws)
    result = run({"name": NAME, "access_config": {"authentication_mode": "API_AND_CONFIG_MAP"}}, expect_failure=True)
    assert result["msg"] == (
        "access_config.authentication_mode: cannot change from API to API_AND_CONFIG_MAP; "
        "EKS only moves CONFIG_MAP -> API_AND_CONFIG_MAP -> API"
    )
    calls.assert_no_mutating_call()


# ---------------------------------------------------------------- secrets encryption
def test_encryption_associate_then_immutable(local_aws, created):
    kms = boto3.client("kms")
    key = kms.create_key()["KeyMetadata"]["Arn"]
    _predicted, applied = four_steps(local_aws, {"name": NAME, "encryption": key})
    assert _updates(applied) == [("AssociateEncryptionConfig", "Successful")]
    assert _describe()["encryptionConfig"][0]["provider"]["keyArn"] == key
    other = kms.create_key()["KeyMetadata"]["Arn"]
    calls = Calls(local_aws)
    result = run({"name": NAME, "encryption": other}, expect_failure=True)
    assert result["msg"] == f"Cluster {NAME} cannot change in place: encryption (is {key}, asked {other})"
    calls.assert_no_mutating_call()


# ---------------------------------------------------------------- upgrade policy
def test_upgrade_policy_four_steps(local_aws, base):
    run(dict(base, upgrade_policy={"support_type": "EXTENDED"}))
    _predicted, applied = four_steps(local_aws, {"name": NAME, "upgrade_policy": {"support_type": "STANDARD"}})
    assert _updates(applied) == [("UpgradePolicyUpdate", "Successful")]
    assert _describe()["upgradePolicy"] == {"supportType": "STANDARD"}


# ---------------------------------------------------------------- versions
def test_version_upgrade_one_minor_at_a_time(local_aws, base):
    run(dict(base, version="1.31"))

    def expect(predicted):
        assert predicted["version"] == "1.33"
        assert [u["params"] for u in predicted["updates"]] == [{"version": "1.32"}, {"version": "1.33"}]

    calls = Calls(local_aws)
    _predicted, applied = four_steps(local_aws, {"name": NAME, "version": "1.33"}, expect)
    assert calls.mutating() == ["UpdateClusterVersion", "UpdateClusterVersion"]
    assert _updates(applied) == [("VersionUpdate", "Successful"), ("VersionUpdate", "Successful")]
    assert applied["cluster"]["version"] == "1.33"
    assert applied["cluster"]["status"] == "ACTIVE"
    assert applied["diff"]["before"]["version"] == "1.31"
    described = [eks().describe_update(name=NAME, updateId=u["id"])["update"] for u in applied["cluster"]["updates"]]
    assert [d["status"] for d in described] == ["Successful", "Successful"]


def test_version_downgrade_and_not_offered_fail_before_any_call(local_aws, base):
    run(dict(base, version="1.32"))
    offered = sorted(v["clusterVersion"] for v in eks().describe_cluster_versions()["clusterVersions"])
    listing = ", ".join(sorted(offered, key=lambda v: tuple(int(p) for p in v.split("."))))
    calls = Calls(local_aws)
    result = run({"name": NAME, "version": "1.31"}, expect_failure=True)
    assert result["msg"] == f"version: cannot downgrade the cluster from 1.32 to 1.31; EKS offers {listing}"
    result = run({"name": NAME, "version": "1.99"}, expect_failure=True)
    assert result["msg"] == f"version: EKS does not offer 1.99; it offers {listing}"
    assert result["offered_versions"] == sorted(offered, key=lambda v: tuple(int(p) for p in v.split(".")))
    calls.assert_no_mutating_call()
    assert _describe()["version"] == "1.32"


def test_create_with_a_version_not_offered(local_aws, base):
    calls = Calls(local_aws)
    result = run(dict(base, version="1.20"), expect_failure=True)
    assert result["msg"].startswith("version: EKS does not offer 1.20; it offers 1.")
    calls.assert_no_mutating_call()
    assert _describe() is None


# ---------------------------------------------------------------- several changes in one run
def test_many_changes_one_after_another(local_aws, base):
    run(dict(base, version="1.32"))
    params = {
        "name": NAME,
        "version": "1.33",
        "endpoint_private_access": True,
        "logging": ["api"],
        "access_config": {"authentication_mode": "API_AND_CONFIG_MAP"},
        "upgrade_policy": {"support_type": "STANDARD"},
        "tags": {"env": "prod"},
    }
    _predicted, applied = four_steps(local_aws, params)
    assert [u["type"] for u in applied["cluster"]["updates"]] == [
        "UntagResource",
        "TagResource",
        "EndpointAccessUpdate",
        "LoggingUpdate",
        "AccessConfigUpdate",
        "UpgradePolicyUpdate",
        "VersionUpdate",
    ]
    assert all(u["status"] == "Successful" for u in applied["cluster"]["updates"] if "id" in u)
    cluster = _describe()
    assert cluster["version"] == "1.33" and cluster["tags"] == {"env": "prod"}
    assert cluster["resourcesVpcConfig"]["endpointPrivateAccess"] is True


# ---------------------------------------------------------------- wait false, then wait true
def test_wait_false_then_a_run_that_waits(local_aws, base):
    # Transitions long enough that each run finds the previous one still under way.
    local_aws.post("/_aews/config", {"delays": {"cluster": 6, "update": 5}})
    started = run(dict(base, wait=False))
    assert started["changed"] is True
    assert started["cluster"]["status"] == "CREATING"
    # A change while the cluster is still being created: the run waits for ACTIVE, then updates.
    result = run({"name": NAME, "logging": ["audit"], "wait": False})
    assert result["changed"] is True
    assert [u["type"] for u in result["cluster"]["updates"]] == ["LoggingUpdate"]
    assert result["cluster"]["updates"][0]["status"] == "InProgress"
    # The next run finds the update in progress, waits for it, then makes its own.
    result = run({"name": NAME, "endpoint_private_access": True})
    assert _updates(result) == [("EndpointAccessUpdate", "Successful")]
    assert result["cluster"]["status"] == "ACTIVE"
    assert result["cluster"]["enabled_log_types"] == ["audit"]
    first = eks().list_updates(name=NAME)["updateIds"]
    statuses = [eks().describe_update(name=NAME, updateId=u)["update"]["status"] for u in first]
    assert statuses == ["Successful", "Successful"]


def test_wait_true_on_a_creating_cluster_with_nothing_to_change(local_aws, base):
    # Transitions long enough that each run finds the previous one still under way.
    local_aws.post("/_aews/config", {"delays": {"cluster": 6, "update": 5}})
    run(dict(base, wait=False))
    result = run({"name": NAME})
    assert result["changed"] is False
    assert result["cluster"]["status"] == "ACTIVE"


# ---------------------------------------------------------------- failures stop the wait at once
def test_failed_cluster_stops_the_wait_with_the_reason(local_aws, base):
    local_aws.post(
        "/_aews/inject",
        {
            "kind": "cluster",
            "cluster": NAME,
            "health_issues": [
                {"code": "VpcIdNotFound", "message": "The VPC could not be found", "resourceIds": ["vpc-gone"]}
            ],
        },
    )
    started = time.monotonic()
    result = run(dict(base, wait_timeout=600), expect_failure=True)
    assert time.monotonic() - started < 60
    assert result["msg"] == (
        f"Stopped waiting for cluster {NAME} to be ACTIVE: it reached status FAILED: "
        "VpcIdNotFound: The VPC could not be found (vpc-gone)"
    )
    # A FAILED cluster is reported, not updated.
    result = run({"name": NAME, "logging": ["api"]}, expect_failure=True)
    assert result["msg"] == f"Cluster {NAME} is FAILED and cannot be updated; delete it with state=absent"


def test_failed_update_stops_the_wait_with_its_errors(local_aws, created):
    local_aws.post(
        "/_aews/inject",
        {
            "kind": "update",
            "cluster": NAME,
            "errors": [{"errorCode": "AccessDenied", "errorMessage": "The role cannot write logs", "resourceIds": []}],
        },
    )
    result = run({"name": NAME, "logging": ["api"], "wait_timeout": 600}, expect_failure=True)
    assert result["msg"].startswith("Stopped waiting for update ")
    assert result["msg"].endswith("it reached status Failed: AccessDenied: The role cannot write logs")


# ---------------------------------------------------------------- absent with Fargate profiles
def test_absent_with_fargate_profile(local_aws, created, cluster_role, vpc_subnets):
    client = eks()
    client.create_fargate_profile(
        clusterName=NAME,
        fargateProfileName="fp-default",
        podExecutionRoleArn=cluster_role,
        subnets=vpc_subnets["subnet_ids"][:2],
        selectors=[{"namespace": "default"}],
    )
    result = run({"name": NAME, "state": "absent"}, expect_failure=True)
    assert "Fargate profiles fp-default" in result["msg"]
    assert result["fargate_profiles"] == ["fp-default"]
    deleted = run({"name": NAME, "state": "absent", "force": True})
    assert [d["type"] for d in deleted["deleted"]] == ["DeleteFargateProfile", "DeleteCluster"]
    assert _describe() is None


def test_wait_false_waits_between_updates_not_after_the_last(local_aws, created):
    # Transitions long enough that each run finds the previous one still under way.
    local_aws.post("/_aews/config", {"delays": {"cluster": 6, "update": 5}})
    result = run({"name": NAME, "endpoint_private_access": True, "logging": ["api"], "wait": False})
    assert _updates(result) == [("EndpointAccessUpdate", "Successful"), ("LoggingUpdate", "InProgress")]
    assert result["cluster"]["status"] == "UPDATING"
    # Once the last update is over, nothing is left to change.
    assert run({"name": NAME, "endpoint_private_access": True, "logging": ["api"]})["changed"] is False
    assert _describe()["status"] == "ACTIVE"


# ---------------------------------------------------------------- the rules with the shared node security group
def _reads(calls):
    return [r["operation"] for r in calls.since() if not r["mutating"]]


def _ingress_from(group_id):
    group = boto3.client("ec2").describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    return sorted(
        (p["IpProtocol"], pair["GroupId"], pair.get("Description")) for p in group["IpPermissions"]
        for pair in p["UserIdGroupPairs"]
    )  # fmt: skip


def test_node_security_group_rules_four_steps_in_the_cluster_run(local_aws, created, vpc_subnets):
    nodes = boto3.client("ec2").create_security_group(
        VpcId=vpc_subnets["vpc_id"], GroupName="myeks-shared-nodes", Description="shared nodes"
    )["GroupId"]
    cluster_sg = _describe()["resourcesVpcConfig"]["clusterSecurityGroupId"]
    params = {"name": NAME, "node_security_group_id": nodes}
    calls = Calls(local_aws)
    predicted, applied = four_steps(local_aws, params)
    assert [(c["resource"], c["action"], c["call"]) for c in predicted["changes"]] == [
        (f"security group {nodes}", "authorize", "authorize_security_group_ingress"),
        (f"security group {cluster_sg}", "authorize", "authorize_security_group_ingress"),
    ]
    assert predicted["cluster"]["updates"] == []
    assert predicted["diff"]["before"]["security_groups"][nodes]["ingress_from_groups"] == []
    assert predicted["diff"]["after"]["security_groups"][nodes]["ingress_from_groups"] == [
        {"protocol": "-1", "from_port": None, "to_port": None, "source_group_id": cluster_sg,
         "description": "From the EKS cluster security group"},
    ]  # fmt: skip
    assert applied["changes"] == predicted["changes"]
    assert applied["security_groups"] == predicted["security_groups"]
    assert calls.mutating() == ["AuthorizeSecurityGroupIngress"] * 2
    assert _ingress_from(nodes) == [("-1", cluster_sg, "From the EKS cluster security group")]
    assert ("-1", nodes, "From the shared node security group") in _ingress_from(cluster_sg)

    # Nothing to do: the cluster and both groups read once each, nothing else.
    calls.mark()
    again = run(params)
    assert again["changed"] is False and again["changes"] == []
    assert sorted(_reads(calls)) == ["DescribeCluster", "DescribeSecurityGroups"]
    assert [g["group_id"] for g in again["security_groups"]] == sorted([nodes, cluster_sg])


def test_node_security_group_pending_in_check_mode_and_refused_otherwise(local_aws, created, vpc_subnets):
    node = "pending:security-group/myeks-shared-nodes"
    cluster_sg = _describe()["resourcesVpcConfig"]["clusterSecurityGroupId"]
    calls = Calls(local_aws)
    predicted = run({"name": NAME, "node_security_group_id": node}, check=True)
    assert predicted["changed"] is True
    assert [c["resource"] for c in predicted["changes"]] == [f"security group {node}", f"security group {cluster_sg}"]
    # the cluster security group read, the pending group not (EC2 would refuse it)
    assert calls.mutating() == [] and sorted(_reads(calls)) == ["DescribeCluster", "DescribeSecurityGroups"]
    failed = run({"name": NAME, "node_security_group_id": node}, expect_failure=True)
    assert failed["msg"].startswith(f"node_security_group_id: {node!r} is a check run's prediction")
    failed = run({"name": NAME, "node_security_group_id": "nodes"}, expect_failure=True)
    assert failed["msg"] == "node_security_group_id: a security group id (sg-...) is required, not 'nodes'"
    assert calls.mutating() == []


def test_node_security_group_rules_after_a_create_that_waits_not_one_that_does_not(local_aws, base, vpc_subnets):
    ec2 = boto3.client("ec2")
    nodes = [
        ec2.create_security_group(VpcId=vpc_subnets["vpc_id"], GroupName=f"nodes-{n}", Description="n")["GroupId"]
        for n in (1, 2)
    ]
    started = run(dict(base, wait=False, node_security_group_id=nodes[0]))
    assert [c["action"] for c in started["changes"]] == ["create"] and "security_groups" not in started
    assert _ingress_from(nodes[0]) == []
    # A later run, once the cluster is ACTIVE, adds them.
    settled = run({"name": NAME, "node_security_group_id": nodes[0], "wait": True})
    cluster_sg = _describe()["resourcesVpcConfig"]["clusterSecurityGroupId"]
    assert [c["resource"] for c in settled["changes"]] == [f"security group {nodes[0]}", f"security group {cluster_sg}"]
    assert _ingress_from(nodes[0]) == [("-1", cluster_sg, "From the EKS cluster security group")]

    # Created and waited for in one run: the rules in the same run.
    created = run(dict(base, name="other", wait=True, node_security_group_id=nodes[1]))
    other_sg = created["cluster"]["resources_vpc_config"]["cluster_security_group_id"]
    assert [(c["action"], c["resource"]) for c in created["changes"]] == [
        ("create", "cluster other"), ("authorize", f"security group {nodes[1]}"),
        ("authorize", f"security group {other_sg}"),
    ]  # fmt: skip
    assert ("-1", nodes[1], "From the shared node security group") in _ingress_from(other_sg)
