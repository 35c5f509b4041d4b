"""eks_nodegroup and eks_nodegroup_info against the local AWS endpoint."""

from __future__ import annotations

import json
import time

import boto3
import pytest
from four_steps import four_steps as shared_four_steps
from local_aws import catalogue
from module_runner import run_module

CLUSTER = "ngtest"
CLUSTER_VERSION = "1.31"
ASSUME_EC2 = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
ASSUME_EKS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


@pytest.fixture
def env(local_aws):
    """A cluster (made directly with boto3), its subnets and a node role."""
    ec2 = boto3.client("ec2")
    iam = boto3.client("iam")
    eks = boto3.client("eks")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"ap-northeast-2{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in enumerate("ac")
    ]
    cluster_role = iam.create_role(RoleName="ngtest-cluster", AssumeRolePolicyDocument=json.dumps(ASSUME_EKS))
    node_role = iam.create_role(RoleName="ngtest-node", AssumeRolePolicyDocument=json.dumps(ASSUME_EC2))
    eks.create_cluster(
        name=CLUSTER,
        version=CLUSTER_VERSION,
        roleArn=cluster_role["Role"]["Arn"],
        resourcesVpcConfig={"subnetIds": subnets},
    )
    eks.get_waiter("cluster_active").wait(name=CLUSTER, WaiterConfig={"Delay": 0.5, "MaxAttempts": 240})
    return {
        "aws": local_aws,
        "eks": eks,
        "ec2": ec2,
        "subnets": subnets,
        "node_role": node_role["Role"]["Arn"],
        "base": {
            "cluster_name": CLUSTER,
            "name": "ng-1",
            "node_role_arn": node_role["Role"]["Arn"],
            "subnet_ids": subnets,
            "instance_types": ["m5.large"],
            "ami_type": "AL2023_x86_64_STANDARD",
        },
    }


class RequestLog:
    """The mutating requests made from now on, from the endpoint's request log."""

    def __init__(self, local_aws):
        self.local_aws = local_aws
        self.start = len(local_aws.requests(mutating=True))

    def mutations(self):
        return self.local_aws.requests(mutating=True)[self.start :]

    def assert_no_mutation(self):
        assert self.mutations() == []


def run(params, check=False, diff=True, **kwargs):
    return run_module("eks_nodegroup", params, check_mode=check, diff=diff, **kwargs)


def _settled(checked, applied, again, final):
    """The final apply returns what the apply did, or the nodegroup ACTIVE."""
    assert final == applied or final["status"] == "ACTIVE"


def four_steps(env, params):
    """The shared four steps of eks_nodegroup, every run with a diff; the results of the first two and the last."""
    return shared_four_steps("eks_nodegroup", "nodegroup", params, compare=_settled, local_aws=env["aws"], diff=True)


def create(env, **extra):
    params = dict(env["base"], scaling={"min": 1, "max": 3, "desired": 2}, **extra)
    return run(params)["nodegroup"]


# ---------------------------------------------------------------- create and delete
def test_create_four_steps(env):
    params = dict(
        env["base"],
        scaling={"min": 1, "max": 4},
        labels={"role": "general", "nodeClass": "fastDisk"},
        taints=[{"key": "dedicated", "value": "general", "effect": "NoSchedule"}],
        update_config={"max_unavailable": 1},
        tags={"team": "platform", "CostCenter": "A1"},
    )
    checked, applied, final = four_steps(env, params)

    predicted = checked["nodegroup"]
    assert predicted["status"] == "CREATING"
    assert predicted["version"] == CLUSTER_VERSION
    assert predicted["scaling_config"] == {"min_size": 1, "max_size": 4, "desired_size": 1}
    assert checked["diff"]["before"] == {}
    assert env["eks"].list_nodegroups(clusterName=CLUSTER)["nodegroups"] == ["ng-1"]

    nodegroup = applied["nodegroup"]
    assert nodegroup["status"] == "ACTIVE"
    assert nodegroup["scaling_config"] == {"min_size": 1, "max_size": 4, "desired_size": 1}
    # Label and tag keys are the user's: returned as they are, not snake_cased.
    assert nodegroup["labels"] == {"role": "general", "nodeClass": "fastDisk"}
    assert nodegroup["taints"] == [{"key": "dedicated", "value": "general", "effect": "NO_SCHEDULE"}]
    assert nodegroup["tags"] == {"team": "platform", "CostCenter": "A1"}
    assert nodegroup["ami_type"] == "AL2023_x86_64_STANDARD"
    assert nodegroup["resources"]["auto_scaling_groups"]
    for key in ("labels", "taints", "tags", "scaling_config", "ami_type", "instance_types", "subnets", "update_config"):
        assert predicted[key] == nodegroup[key], key


def test_create_needs_role_and_subnets(env):
    result = run({"cluster_name": CLUSTER, "name": "ng-x"}, expect_failure=True)
    assert "node_role_arn and subnet_ids needed" in result["msg"]


def test_create_in_missing_cluster_fails(env):
    result = run(dict(env["base"], cluster_name="nope"), expect_failure=True)
    assert "cluster nope was not found" in result["msg"]


def test_delete_four_steps(env):
    create(env)
    params = {"cluster_name": CLUSTER, "name": "ng-1", "state": "absent"}
    checked, applied, final = four_steps(env, params)
    assert checked["nodegroup"] == {} and checked["diff"]["before"]["nodegroup_name"] == "ng-1"
    assert env["eks"].list_nodegroups(clusterName=CLUSTER)["nodegroups"] == []
    assert final["nodegroup"] == {}


# ---------------------------------------------------------------- input errors, before any call
@pytest.mark.parametrize(
    "extra, message",
    [
        ({"scaling": {"min": 3, "max": 2}}, "scaling.min (3) must not be greater than scaling.max (2)"),
        ({"scaling": {"min": 1, "max": 2, "desired": 5}}, "scaling.desired (5) must not be greater than scaling.max"),
        ({"version": "1.32"}, "ahead of the cluster's control plane (1.31)"),
        ({"version": "1.27"}, "more than 3 minor versions behind the control plane"),
        ({"taints": [{"key": "a", "effect": "NO_SCHEDULE"}, {"key": "a", "effect": "NoSchedule"}]}, "given twice"),
    ],
)
def test_bad_input_fails_without_change(env, extra, message):
    log = RequestLog(env["aws"])
    result = run(dict(env["base"], **extra), expect_failure=True)
    assert message in result["msg"]
    log.assert_no_mutation()
    assert env["eks"].list_nodegroups(clusterName=CLUSTER)["nodegroups"] == []


def test_immutable_changes_fail_naming_each(env):
    create(env)
    params = dict(env["base"], instance_types=["c5.large"], ami_type="BOTTLEROCKET_x86_64", capacity_type="SPOT")
    log = RequestLog(env["aws"])
    result = run(dict(params, labels={"new": "label"}), expect_failure=True)
    log.assert_no_mutation()
    for name in ("instance_types", "ami_type", "capacity_type"):
        assert name in result["msg"]
    assert "new nodegroup" in result["msg"]
    assert "new" not in env["eks"].describe_nodegroup(clusterName=CLUSTER, nodegroupName="ng-1")["nodegroup"]["labels"]


# ---------------------------------------------------------------- info
def test_info(env):
    create(env)
    create(env, name="ng-2")
    found = run_module("eks_nodegroup_info", {"cluster_name": CLUSTER})["nodegroups"]
    assert sorted(n["nodegroup_name"] for n in found) == ["ng-1", "ng-2"]
    one = run_module("eks_nodegroup_info", {"cluster_name": CLUSTER, "name": "ng-2"})["nodegroups"]
    assert [n["nodegroup_name"] for n in one] == ["ng-2"]
    assert run_module("eks_nodegroup_info", {"cluster_name": CLUSTER, "name": "nope"})["nodegroups"] == []
    assert run_module("eks_nodegroup_info", {"cluster_name": "nope"})["nodegroups"] == []


# ---------------------------------------------------------------- in-place changes, four steps each
def describe(env, name="ng-1"):
    return env["eks"].describe_nodegroup(clusterName=CLUSTER, nodegroupName=name)["nodegroup"]


def wait_active(env, name="ng-1"):
    waiter = env["eks"].get_waiter("nodegroup_active")
    waiter.wait(clusterName=CLUSTER, nodegroupName=name, WaiterConfig={"Delay": 0.5, "MaxAttempts": 240})


def test_scaling_without_desired_keeps_the_desired_size(env):
    create(env)
    # A cluster autoscaler moved the desired size.
    env["eks"].update_nodegroup_config(clusterName=CLUSTER, nodegroupName="ng-1", scalingConfig={"desiredSize": 3})
    wait_active(env)
    params = dict(env["base"], scaling={"min": 1, "max": 5})
    checked, applied, final = four_steps(env, params)
    expected = {"min_size": 1, "max_size": 5, "desired_size": 3}
    assert checked["nodegroup"]["scaling_config"] == expected
    assert applied["nodegroup"]["scaling_config"] == expected
    assert checked["diff"]["before"]["scaling_config"]["max_size"] == 3


def test_scaling_omitted_is_left_alone(env):
    create(env)
    result = run({"cluster_name": CLUSTER, "name": "ng-1"})
    assert result["changed"] is False
    assert result["nodegroup"]["scaling_config"] == {"min_size": 1, "max_size": 3, "desired_size": 2}


def test_scaling_range_excluding_the_current_desired_size_fails(env):
    create(env)
    result = run(dict(env["base"], scaling={"max": 1}), expect_failure=True)
    assert "current desired size 2 is outside the new range 1..1: set scaling.desired" in result["msg"]


def test_scaling_desired(env):
    create(env)
    checked, applied, _final = four_steps(env, dict(env["base"], scaling={"desired": 3}))
    assert checked["nodegroup"]["scaling_config"]["desired_size"] == 3
    assert describe(env)["scalingConfig"] == {"minSize": 1, "maxSize": 3, "desiredSize": 3}


def test_labels_value_change_and_add_keep_others(env):
    create(env, labels={"role": "general", "keep": "me"})
    params = dict(env["base"], labels={"role": "batch", "tier": "1"})
    checked, applied, _final = four_steps(env, params)
    expected = {"role": "batch", "tier": "1", "keep": "me"}
    assert checked["nodegroup"]["labels"] == expected
    assert describe(env)["labels"] == expected


def test_labels_purge(env):
    create(env, labels={"role": "general", "drop": "me"})
    params = dict(env["base"], labels={"role": "general"}, purge_labels=True)
    checked, applied, _final = four_steps(env, params)
    assert checked["nodegroup"]["labels"] == {"role": "general"}
    assert describe(env)["labels"] == {"role": "general"}


def taint_set(taints):
    return sorted((t["key"], t.get("value"), t["effect"]) for t in taints or [])


def test_taints_add_change_remove(env):
    create(
        env,
        taints=[
            {"key": "dedicated", "value": "general", "effect": "NO_SCHEDULE"},
            {"key": "old", "value": "x", "effect": "NO_EXECUTE"},
        ],
    )
    params = dict(
        env["base"],
        taints=[
            {"key": "dedicated", "value": "batch", "effect": "NO_SCHEDULE"},
            {"key": "gpu", "effect": "PreferNoSchedule"},
        ],
        purge_taints=True,
    )
    checked, applied, _final = four_steps(env, params)
    expected = [("dedicated", "batch", "NO_SCHEDULE"), ("gpu", None, "PREFER_NO_SCHEDULE")]
    assert taint_set(checked["nodegroup"]["taints"]) == expected
    assert taint_set(describe(env)["taints"]) == expected


def test_taints_not_purged_by_default(env):
    create(env, taints=[{"key": "old", "value": "x", "effect": "NO_EXECUTE"}])
    params = dict(env["base"], taints=[{"key": "new", "value": "y", "effect": "NO_SCHEDULE"}])
    four_steps(env, params)
    assert taint_set(describe(env)["taints"]) == [("new", "y", "NO_SCHEDULE"), ("old", "x", "NO_EXECUTE")]


def test_update_config(env):
    create(env, update_config={"max_unavailable": 1})
    params = dict(env["base"], update_config={"max_unavailable_percentage": 25})
    checked, applied, _final = four_steps(env, params)
    assert checked["nodegroup"]["update_config"] == {"max_unavailable_percentage": 25}
    assert describe(env)["updateConfig"].get("maxUnavailablePercentage") == 25


def test_tags_add_change_remove(env):
    create(env, tags={"team": "platform", "drop": "me"})
    params = dict(env["base"], tags={"team": "data", "cost": "42"})
    checked, applied, _final = four_steps(env, params)
    assert checked["nodegroup"]["tags"] == {"team": "data", "cost": "42"}
    assert describe(env)["tags"] == {"team": "data", "cost": "42"}


def test_tags_kept_without_purge(env):
    create(env, tags={"team": "platform"})
    four_steps(env, dict(env["base"], tags={"cost": "42"}, purge_tags=False))
    assert describe(env)["tags"] == {"team": "platform", "cost": "42"}


def test_several_changes_in_one_run(env):
    create(env, version="1.30", labels={"role": "general"}, tags={"team": "platform"})
    params = dict(env["base"], labels={"role": "batch"}, scaling={"max": 4}, tags={"team": "data"}, version="1.31")
    checked, applied, _final = four_steps(env, params)
    names = {"clusterName": env["base"]["cluster_name"], "nodegroupName": env["base"]["name"]}
    arn = describe(env)["nodegroupArn"]
    assert [(c["action"], c["call"], c["params"]) for c in checked["changes"]] == [
        (
            "update",
            "update_nodegroup_config",
            dict(names, labels={"addOrUpdateLabels": {"role": "batch"}}, scalingConfig={"minSize": 1, "maxSize": 4}),
        ),
        ("update", "update_nodegroup_version", dict(names, version="1.31")),
        ("tag", "tag_resource", {"arn": arn, "tags": {"team": "data"}}),
    ]
    assert [c["why"] for c in checked["changes"]] == [
        "label role: general -> batch; scaling.max_size 3 -> 4",
        "Kubernetes 1.30 -> 1.31 (replaces every node of the nodegroup)",
        "tags team: platform -> data",
    ]
    assert applied["changes"] == checked["changes"]
    nodegroup = describe(env)
    assert nodegroup["labels"] == {"role": "batch"}
    assert nodegroup["scalingConfig"]["maxSize"] == 4
    assert nodegroup["tags"] == {"team": "data"}
    assert nodegroup["version"] == "1.31"


def test_version_update(env):
    create(env, version="1.30")
    assert describe(env)["version"] == "1.30"
    checked, applied, _final = four_steps(env, dict(env["base"], version="1.31"))
    assert checked["nodegroup"]["version"] == "1.31"
    assert applied["nodegroup"]["version"] == "1.31"
    assert describe(env)["version"] == "1.31"


def test_version_downgrade_fails(env):
    create(env)
    result = run(dict(env["base"], version="1.30"), expect_failure=True)
    assert "cannot be downgraded" in result["msg"]


def test_release_version_update(env):
    create(env, version="1.30")
    before = describe(env)["releaseVersion"]
    release = catalogue.release_version("1.31", "AL2023_x86_64_STANDARD")
    assert before != release
    checked, applied, _final = four_steps(env, dict(env["base"], version="1.31", release_version=release))
    assert checked["nodegroup"]["release_version"] == release
    assert describe(env)["releaseVersion"] == release and describe(env)["version"] == "1.31"


def test_release_version_equal_is_no_change(env):
    create(env, version="1.30")
    release = describe(env)["releaseVersion"]
    assert run(dict(env["base"], release_version=release), check=True)["changed"] is False
    assert run(dict(env["base"], release_version=release))["changed"] is False


# ---------------------------------------------------------------- launch templates
def make_template(env, versions=2):
    data = {"InstanceType": "m5.large", "MetadataOptions": {"HttpTokens": "required"}}
    template = env["ec2"].create_launch_template(LaunchTemplateName="ng-lt", LaunchTemplateData=data)["LaunchTemplate"]
    for _version in range(versions - 1):
        env["ec2"].create_launch_template_version(
            LaunchTemplateId=template["LaunchTemplateId"], LaunchTemplateData=data
        )
    return template["LaunchTemplateId"]


def lt_params(env, **launch_template):
    params = {k: v for k, v in env["base"].items() if k != "instance_types"}
    return dict(params, scaling={"min": 1, "max": 2}, launch_template=launch_template)


def test_launch_template_create_defaults_to_the_default_version(env):
    template_id = make_template(env, versions=2)
    checked, applied, _final = four_steps(env, lt_params(env, name="ng-lt"))
    for result in (checked, applied):
        assert result["nodegroup"]["launch_template"]["id"] == template_id
        assert str(result["nodegroup"]["launch_template"]["version"]) == "1"
        assert result["nodegroup"]["launch_template"]["name"] == "ng-lt"


def test_launch_template_latest_is_resolved(env):
    template_id = make_template(env, versions=1)
    run(lt_params(env, name="ng-lt", version="$Latest"))
    assert describe(env)["launchTemplate"]["version"] == "1"
    # $Latest is still version 1: nothing to change.
    assert run(lt_params(env, id=template_id, version="$Latest"))["changed"] is False
    env["ec2"].create_launch_template_version(
        LaunchTemplateId=template_id, LaunchTemplateData={"InstanceType": "m5.xlarge"}
    )
    checked, applied, _final = four_steps(env, lt_params(env, id=template_id, version="$Latest"))
    assert checked["nodegroup"]["launch_template"]["version"] == "2"
    assert describe(env)["launchTemplate"]["version"] == "2"


def test_launch_template_missing_version_fails(env):
    make_template(env, versions=1)
    result = run(lt_params(env, name="ng-lt", version="7"), expect_failure=True)
    assert "launch_template.version 7 does not exist in ng-lt" in result["msg"]


def test_launch_template_missing_fails(env):
    result = run(lt_params(env, name="nope"), expect_failure=True)
    assert "no launch template nope was found" in result["msg"]


def test_launch_template_identity_is_immutable(env):
    make_template(env, versions=1)
    run(lt_params(env, name="ng-lt"))
    other = env["ec2"].create_launch_template(LaunchTemplateName="other", LaunchTemplateData={})["LaunchTemplate"]
    result = run(lt_params(env, name="other"), expect_failure=True)
    assert "launch_template" in result["msg"] and "new nodegroup" in result["msg"]
    assert describe(env)["launchTemplate"]["id"] != other["LaunchTemplateId"]


# ---------------------------------------------------------------- waits and failures
def test_wait_false_returns_at_once_and_a_later_run_waits(env):
    env["aws"].configure(delays={"nodegroup": 5})
    for name in ("ng-1", "ng-2"):
        result = run(dict(env["base"], name=name, scaling={"min": 1, "max": 2}, wait=False))
        assert result["changed"] is True
        assert result["nodegroup"]["status"] == "CREATING"
    # Nothing to change, wait=true (the default): waits for ACTIVE and reports no change.
    for name in ("ng-1", "ng-2"):
        result = run({"cluster_name": CLUSTER, "name": name})
        assert result["changed"] is False
        assert result["nodegroup"]["status"] == "ACTIVE"
        assert describe(env, name)["status"] == "ACTIVE"


def test_change_to_a_nodegroup_still_creating_waits_for_it_first(env):
    env["aws"].configure(delays={"nodegroup": 2})
    run(dict(env["base"], scaling={"min": 1, "max": 2}, wait=False))
    result = run(dict(env["base"], labels={"role": "late"}))
    assert result["changed"] is True
    assert describe(env)["labels"] == {"role": "late"}


def test_update_without_wait_returns_while_updating(env):
    create(env)
    env["aws"].configure(delays={"update": 3})
    result = run(dict(env["base"], labels={"role": "x"}, wait=False))
    assert result["changed"] is True
    assert describe(env)["status"] == "UPDATING"
    # The same again with wait: the update in progress is waited for; nothing more to change.
    result = run(dict(env["base"], labels={"role": "x"}))
    assert result["changed"] is False
    assert result["nodegroup"]["status"] == "ACTIVE" and result["nodegroup"]["labels"] == {"role": "x"}


ISSUE = {
    "code": "AsgInstanceLaunchFailures",
    "message": "Could not launch On-Demand Instances",
    "resourceIds": ["eks-x"],
}


def test_create_failed_stops_the_wait_at_once(env):
    env["aws"].inject(kind="nodegroup", cluster=CLUSTER, nodegroup="ng-1", health_issues=[ISSUE])
    started = time.monotonic()
    result = run(dict(env["base"], scaling={"min": 1, "max": 2}, wait_timeout=600), expect_failure=True)
    assert time.monotonic() - started < 30  # not the 600 s timeout
    assert "CREATE_FAILED" in result["msg"]
    assert "AsgInstanceLaunchFailures: Could not launch On-Demand Instances" in result["msg"]
    assert result["details"][0]["code"] == "AsgInstanceLaunchFailures"
    # A later run says what to do instead of trying to update it.
    result = run(dict(env["base"], scaling={"min": 1, "max": 2}), expect_failure=True)
    assert "CREATE_FAILED" in result["msg"] and "state=absent" in result["msg"]


def test_failed_update_stops_the_wait_with_its_errors(env):
    create(env)
    error = {"errorCode": "PodEvictionFailure", "errorMessage": "Reached max retries while trying to evict pods"}
    env["aws"].inject(kind="update", cluster=CLUSTER, nodegroup="ng-1", errors=[error])
    started = time.monotonic()
    result = run(dict(env["base"], labels={"role": "x"}, wait_timeout=600), expect_failure=True)
    assert time.monotonic() - started < 30
    assert "status Failed" in result["msg"]
    assert "PodEvictionFailure: Reached max retries while trying to evict pods" in result["msg"]


def test_degraded_after_update_stops_the_wait(env):
    create(env)
    env["aws"].inject(kind="nodegroup", cluster=CLUSTER, nodegroup="ng-1", health_issues=[ISSUE])
    started = time.monotonic()
    result = run(dict(env["base"], scaling={"max": 4}, wait_timeout=600), expect_failure=True)
    assert time.monotonic() - started < 30
    assert "nodegroup DEGRADED: AsgInstanceLaunchFailures: Could not launch On-Demand Instances" in result["msg"]
    assert result["health_issues"][0]["code"] == "AsgInstanceLaunchFailures"


# ---------------------------------------------------------------- AMI and capacity kinds, remote access, repair
@pytest.mark.parametrize(
    "ami_type, capacity_type",
    [
        ("AL2023_ARM_64_STANDARD", "SPOT"),
        ("BOTTLEROCKET_x86_64", "ON_DEMAND"),
        ("WINDOWS_CORE_2022_x86_64", "ON_DEMAND"),
    ],
)
def test_create_ami_and_capacity_kinds(env, ami_type, capacity_type):
    params = dict(env["base"], ami_type=ami_type, capacity_type=capacity_type, scaling={"min": 1, "max": 2})
    checked, applied, _final = four_steps(env, params)
    for result in (checked, applied):
        assert result["nodegroup"]["ami_type"] == ami_type
        assert result["nodegroup"]["capacity_type"] == capacity_type
    assert applied["nodegroup"]["release_version"]


def test_remote_access(env):
    env["ec2"].create_key_pair(KeyName="ops")
    vpc = env["ec2"].describe_subnets(SubnetIds=env["subnets"][:1])["Subnets"][0]["VpcId"]
    group = env["ec2"].create_security_group(GroupName="bastion", Description="bastion", VpcId=vpc)["GroupId"]
    params = dict(
        env["base"],
        scaling={"min": 1, "max": 2},
        disk_size=40,
        remote_access={"ec2_ssh_key": "ops", "source_security_groups": [group]},
    )
    checked, applied, _final = four_steps(env, params)
    assert applied["nodegroup"]["remote_access"] == {"ec2_ssh_key": "ops", "source_security_groups": [group]}
    assert applied["nodegroup"]["resources"]["remote_access_security_group"].startswith("sg-")
    assert applied["nodegroup"]["disk_size"] == 40
    env["ec2"].create_key_pair(KeyName="other")
    result = run(dict(params, remote_access={"ec2_ssh_key": "other"}, disk_size=80), expect_failure=True)
    assert "remote_access.ec2_ssh_key" in result["msg"] and "disk_size" in result["msg"]


def test_node_repair(env):
    create(env)
    checked, applied, _final = four_steps(env, dict(env["base"], node_repair=True))
    assert checked["nodegroup"]["node_repair_config"]["enabled"] is True
    assert describe(env)["nodeRepairConfig"]["enabled"] is True


def test_check_mode_prediction_matches_the_result_of_an_update(env):
    create(env, labels={"a": "1"}, taints=[{"key": "t", "value": "1", "effect": "NO_SCHEDULE"}])
    params = dict(
        env["base"],
        labels={"a": "2"},
        taints=[{"key": "t", "value": "2", "effect": "NO_SCHEDULE"}],
        scaling={"max": 5},
        update_config={"max_unavailable": 2},
        tags={"x": "y"},
    )
    checked, applied, _final = four_steps(env, params)
    for key in ("labels", "taints", "scaling_config", "update_config", "tags"):
        assert checked["nodegroup"][key] == applied["nodegroup"][key], key
    assert checked["diff"]["before"]["labels"] == {"a": "1"}
    assert applied["diff"]["after"]["labels"] == {"a": "2"}


def test_launch_template_default_follows_the_templates_default_version(env):
    template_id = make_template(env, versions=2)
    run(lt_params(env, id=template_id, version="$Default"))
    assert describe(env)["launchTemplate"]["version"] == "1"
    env["ec2"].modify_launch_template(LaunchTemplateId=template_id, DefaultVersion="2")
    checked, applied, _final = four_steps(env, lt_params(env, id=template_id, version="$Default"))
    assert checked["nodegroup"]["launch_template"]["version"] == "2"
    assert describe(env)["launchTemplate"]["version"] == "2"


def test_wait_timeout(env):
    env["aws"].configure(delays={"nodegroup": 30})
    started = time.monotonic()
    result = run(dict(env["base"], scaling={"min": 1, "max": 2}, wait_timeout=2), expect_failure=True)
    assert time.monotonic() - started < 20
    assert "Timed out after 2 seconds waiting for nodegroup ng-1 to be ACTIVE" in result["msg"]


def test_throttling_is_retried(env):
    create(env)
    env["aws"].faults(
        throttle_rate=0.3,
        seed=7,
        operations=["eks:DescribeNodegroup", "eks:UpdateNodegroupConfig", "eks:DescribeUpdate", "eks:TagResource"],
    )
    result = run(dict(env["base"], labels={"role": "x"}, tags={"t": "1"}))
    assert result["changed"] is True
    env["aws"].faults()
    assert describe(env)["labels"] == {"role": "x"} and describe(env)["tags"] == {"t": "1"}
    throttled = [r for r in env["aws"].requests(service="eks") if r.get("injected")]
    assert throttled, "no call was throttled: the test proves nothing"
