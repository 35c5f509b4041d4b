"""eks_self_managed_nodegroup and its _info against the local AWS endpoint (moto's Auto Scaling and SSM, with the
instance refreshes, metrics and EKS AMI parameters of tests/local_aws/autoscaling_ext.py)."""

from __future__ import annotations

import boto3
import pytest
from module_runner import run_module

CLUSTER = "smc"
NAME = "ng-self"
GROUP = f"{CLUSTER}-{NAME}"


def run(check=False, diff=True, expect_failure=False, **params):
    params.setdefault("cluster_name", CLUSTER)
    params.setdefault("name", NAME)
    return run_module("eks_self_managed_nodegroup", params, check_mode=check, diff=diff, expect_failure=expect_failure)


def writes(local_aws):
    return [e["operation"] for e in local_aws.requests(mutating=True)]


def group():
    found = boto3.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[GROUP])
    return (found["AutoScalingGroups"] or [None])[0]


def ami(version="1.33", family="AmazonLinux2023"):
    found = run_module("eks_self_managed_nodegroup_info", {"cluster_name": CLUSTER,
                                                           "ami": {"family": family, "version": version}})  # fmt: skip
    return found["ami"]["image_id"]


def template(name="smc-ng-self", instance_type="t3.medium", user_data="#!/bin/bash\n"):
    """A launch template version (eks_launch_template), its number."""
    import base64

    data = {"ImageId": ami(), "InstanceType": instance_type, "UserData": base64.b64encode(user_data.encode()).decode()}
    made = run_module("eks_launch_template", {"name": name, "launch_template_data": data})
    return made["version"]


@pytest.fixture
def subnets(vpc_subnets):
    return vpc_subnets["subnet_ids"][:2]


def base(subnets, version, **extra):
    params = dict(
        launch_template={"name": "smc-ng-self", "version": str(version)},
        subnet_ids=subnets,
        min_size=1,
        desired_size=2,
        max_size=3,
        metrics_collection=["GroupDesiredCapacity", "GroupInServiceInstances"],
        tags={"Name": "smc-ng-self-Node", "team": "a"},
        update_config={"max_unavailable": 1},
    )
    params.update(extra)
    return params


def test_create_four_steps_then_scale_and_tags_in_place(local_aws, subnets):
    version = template()
    params = base(subnets, version)
    local_aws.clear_requests()
    checked = run(check=True, **params)
    assert writes(local_aws) == []
    assert checked["changed"] and [c["action"] for c in checked["changes"]] == ["create", "enable_metrics"]
    predicted = checked["self_managed_nodegroup"]
    assert predicted["desired_size"] == 2 and predicted["subnet_ids"] == sorted(subnets)
    assert predicted["tags"]["kubernetes.io/cluster/smc"] == "owned"
    assert predicted["tags"]["aews.eks/self-managed-nodegroup"] == NAME

    made = run(**params)
    assert made["changed"]
    assert writes(local_aws) == ["CreateAutoScalingGroup", "EnableMetricsCollection"]
    found = group()
    assert (found["MinSize"], found["DesiredCapacity"], found["MaxSize"]) == (1, 2, 3)
    assert all(t["PropagateAtLaunch"] for t in found["Tags"])
    assert {t["Key"]: t["Value"] for t in found["Tags"]}["kubernetes.io/cluster/smc"] == "owned"
    assert sorted(found["VPCZoneIdentifier"].split(",")) == sorted(subnets)
    assert len(made["self_managed_nodegroup"]["instances"]) == 2
    assert {i["launch_template_version"] for i in made["self_managed_nodegroup"]["instances"]} == {str(version)}
    # The nodes carry the propagated tags.
    ec2 = boto3.client("ec2")
    instance = ec2.describe_instances(InstanceIds=[made["self_managed_nodegroup"]["instances"][0]["instance_id"]])
    tags = {t["Key"]: t["Value"] for t in instance["Reservations"][0]["Instances"][0]["Tags"]}
    assert tags["kubernetes.io/cluster/smc"] == "owned" and tags["Name"] == "smc-ng-self-Node"
    assert checked["self_managed_nodegroup"]["tags"] == made["self_managed_nodegroup"]["tags"]

    local_aws.clear_requests()
    again = run(check=True, **params)
    assert not again["changed"] and again["changes"] == []
    assert not run(**params)["changed"]
    assert writes(local_aws) == []

    # Scaling and tags change in place, no node replaced.
    before = {i["instance_id"] for i in made["self_managed_nodegroup"]["instances"]}
    changed = {**params, "desired_size": 3, "max_size": 4, "tags": {"Name": "smc-ng-self-Node", "team": "b"}}
    checked = run(check=True, **changed)
    assert writes(local_aws) == []
    assert [c["action"] for c in checked["changes"]] == ["scale", "tag"]
    assert checked["changes"][0]["why"] == "max_size 3 -> 4, desired_size 2 -> 3"
    made = run(**changed)
    assert made["self_managed_nodegroup"]["desired_size"] == 3
    assert writes(local_aws) == ["UpdateAutoScalingGroup", "CreateOrUpdateTags"]
    assert before < {i["instance_id"] for i in made["self_managed_nodegroup"]["instances"]}
    assert made["self_managed_nodegroup"]["tags"]["team"] == "b"
    assert made["self_managed_nodegroup"]["instance_refresh"] is None
    assert not run(check=True, **changed)["changed"]


def test_new_launch_template_version_rolls_with_an_instance_refresh(local_aws, subnets):
    local_aws.configure(delays={"update": 0.3})
    first = template()
    params = base(subnets, first, update_config={"max_unavailable": 1})
    old = {i["instance_id"] for i in run(**params)["self_managed_nodegroup"]["instances"]}
    second = template(user_data="#!/bin/bash\necho two\n")
    assert second == first + 1
    rolled = {**params, "launch_template": {"name": "smc-ng-self", "version": str(second)}}

    local_aws.clear_requests()
    checked = run(check=True, **rolled)
    assert writes(local_aws) == []
    assert [c["action"] for c in checked["changes"]] == ["update", "refresh"]
    assert (
        checked["changes"][0]["why"] == f"launch template smc-ng-self version {first} -> smc-ng-self version {second}"
    )
    # One node of two out at once: at least 50% in service.
    assert checked["changes"][1]["params"]["Preferences"]["MinHealthyPercentage"] == 50
    assert "replaces the 2 nodes" in checked["changes"][1]["why"]

    made = run(**rolled)
    assert writes(local_aws) == ["UpdateAutoScalingGroup", "StartInstanceRefresh"]
    result = made["self_managed_nodegroup"]
    assert result["instance_refresh"]["status"] == "Successful"
    assert result["instance_refresh"]["min_healthy_percentage"] == 50
    assert {i["launch_template_version"] for i in result["instances"]} == {str(second)}
    assert not old & {i["instance_id"] for i in result["instances"]}
    assert not run(check=True, **rolled)["changed"]
    assert not run(**rolled)["changed"]


def test_nodes_left_on_an_old_version_are_rolled_by_the_next_run(local_aws, subnets):
    first = template()
    params = base(subnets, first)
    run(**params)
    second = template(user_data="#!/bin/bash\necho two\n")
    # A run stopped after the group took the new version, before the refresh.
    boto3.client("autoscaling").update_auto_scaling_group(
        AutoScalingGroupName=GROUP, LaunchTemplate={"LaunchTemplateName": "smc-ng-self", "Version": str(second)}
    )
    rolled = {**params, "launch_template": {"name": "smc-ng-self", "version": str(second)}}
    checked = run(check=True, **rolled)
    assert [c["action"] for c in checked["changes"]] == ["refresh"]
    assert "2 of 2 nodes still run an older launch template version" in checked["changes"][0]["why"]
    made = run(**rolled)
    assert {i["launch_template_version"] for i in made["self_managed_nodegroup"]["instances"]} == {str(second)}
    assert not run(**rolled)["changed"]


def test_mixed_instances_target_groups_and_delete_scales_to_zero_first(local_aws, subnets, vpc_subnets):
    version = template()
    elbv2 = boto3.client("elbv2")
    target_group = elbv2.create_target_group(Name="smc-tg", Protocol="TCP", Port=80, VpcId=vpc_subnets["vpc_id"])
    tg_arn = target_group["TargetGroups"][0]["TargetGroupArn"]
    mixed = base(
        subnets,
        version,
        instances_distribution={
            "instance_types": ["m5.large", "m5a.large"],
            "on_demand_base_capacity": 1,
            "on_demand_percentage_above_base_capacity": 0,
            "spot_allocation_strategy": "capacity-optimized",
        },
        target_group_arns=[tg_arn],
        metrics_collection=["all"],
    )
    made = run(**mixed)
    result = made["self_managed_nodegroup"]
    assert result["instance_types"] == ["m5.large", "m5a.large"]
    assert result["instances_distribution"]["on_demand_base_capacity"] == 1
    assert result["instances_distribution"]["spot_allocation_strategy"] == "capacity-optimized"
    assert result["target_group_arns"] == [tg_arn] and len(result["enabled_metrics"]) == 20
    assert {i["instance_type"] for i in result["instances"]} == {"m5.large"}
    assert not run(check=True, **mixed)["changed"]
    # Only the sizes change: the mixed instances policy stays as it is.
    scaled = {**mixed, "desired_size": 1}
    assert [c["action"] for c in run(**scaled)["changes"]] == ["scale"]
    assert group()["MixedInstancesPolicy"]["InstancesDistribution"]["OnDemandBaseCapacity"] == 1
    # Fewer metrics, no target group.
    fewer = {**scaled, "metrics_collection": ["GroupMinSize"], "target_group_arns": []}
    assert [c["action"] for c in run(**fewer)["changes"]] == ["disable_metrics", "detach"]
    assert not run(**fewer)["changed"]

    local_aws.clear_requests()
    checked = run(check=True, state="absent")
    assert writes(local_aws) == []
    assert [c["action"] for c in checked["changes"]] == ["scale", "delete"]
    assert checked["self_managed_nodegroup"] == {}
    deleted = run(state="absent")
    assert deleted["changed"] and group() is None
    assert writes(local_aws) == ["UpdateAutoScalingGroup", "DeleteAutoScalingGroup"]
    assert not run(state="absent")["changed"]


def test_bad_input_is_refused_before_any_call(local_aws, subnets):
    local_aws.clear_requests()
    failed = run(expect_failure=True, **base(subnets, 1, min_size=3, desired_size=2))
    assert "desired_size 2 is outside min_size..max_size (3..3)" in failed["msg"]
    failed = run(expect_failure=True, **base(subnets, 1, launch_template={"name": "x", "version": "latest"}))
    assert "launch_template.version must be a version number, $Latest or $Default" in failed["msg"]
    failed = run(expect_failure=True, **base(subnets, 1, metrics_collection=["GroupSize"]))
    assert "metrics_collection: unknown metric(s) GroupSize" in failed["msg"]
    assert local_aws.requests() == []


def test_info_lists_the_nodegroups_and_reads_the_ami_parameters(local_aws, subnets):
    run(**base(subnets, template()))
    found = run_module("eks_self_managed_nodegroup_info", {"cluster_name": CLUSTER})
    assert [g["name"] for g in found["self_managed_nodegroups"]] == [NAME]
    assert run_module("eks_self_managed_nodegroup_info", {"cluster_name": "other"})["self_managed_nodegroups"] == []
    for family, version, parameter in (
        ("AmazonLinux2023", "1.33", "/aws/service/eks/optimized-ami/1.33/amazon-linux-2023/x86_64/standard/"
                                    "recommended/image_id"),
        ("Bottlerocket", "1.33", "/aws/service/bottlerocket/aws-k8s-1.33/x86_64/latest/image_id"),
        ("AmazonLinux2", "1.32", "/aws/service/eks/optimized-ami/1.32/amazon-linux-2/recommended/image_id"),
    ):  # fmt: skip
        answer = run_module("eks_self_managed_nodegroup_info", {"cluster_name": CLUSTER,
                                                                "ami": {"family": family, "version": version}})  # fmt: skip
        assert answer["ami"]["parameter"] == parameter
        image = answer["ami"]["image_id"]
        assert boto3.client("ec2").describe_images(ImageIds=[image])["Images"][0]["ImageId"] == image
    failed = run_module("eks_self_managed_nodegroup_info", {"cluster_name": CLUSTER,
                                                            "ami": {"family": "AmazonLinux2", "version": "1.33"}},
                        expect_failure=True)  # fmt: skip
    assert "no Amazon Linux 2 AMI for Kubernetes 1.33" in failed["msg"]
