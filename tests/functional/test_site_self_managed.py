"""site.yml, the nodegroup role and playbooks/teardown.yml with a self-managed nodegroup (eksctl nodeGroups): the node role and its
instance profile, the launch template with the EKS-optimized AMI and the user data that joins the node, the Auto
Scaling group, the node's access entry; converged again with nothing to change; torn down leaving nothing."""

from __future__ import annotations

import base64

import boto3
import yaml
from test_site import ROOT
from test_site import owned
from test_site import playbook

NAME = "sm"
CONFIG = {
    "apiVersion": "eksctl.io/v1alpha5",
    "kind": "ClusterConfig",
    "metadata": {"name": NAME, "region": "ap-northeast-2", "version": "1.33"},
    "availabilityZones": ["ap-northeast-2a", "ap-northeast-2c"],
    "vpc": {"cidr": "10.40.0.0/16", "nat": {"gateway": "Disable"}},
    "accessConfig": {"authenticationMode": "API_AND_CONFIG_MAP"},
    "addonsConfig": {"disableDefaultAddons": True},
    "addons": [{"name": "vpc-cni"}],
    "nodeGroups": [
        {
            "name": "ng-self",
            "instanceType": "t3.medium",
            "minSize": 1,
            "desiredCapacity": 2,
            "maxSize": 3,
            "labels": {"role": "worker"},
            "preBootstrapCommands": ["echo hello > /tmp/hello"],
            "asgMetricsCollection": [{"granularity": "1Minute", "metrics": ["GroupDesiredCapacity"]}],
            "tags": {"team": "platform"},
        }
    ],
}

NODEGROUP_PLAY = """
- name: Nodegroups only
  hosts: localhost
  connection: local
  gather_facts: false
  vars_files:
    - {vars_file}
  tasks:
    - name: The eksctl ClusterConfig
      ansible.builtin.include_role:
        name: aews.eks.definition
        tasks_from: eksctl
      vars:
        definition_eksctl_config_file: "{{{{ eksctl_config_file }}}}"
    - name: Nodegroups
      ansible.builtin.include_role:
        name: aews.eks.nodegroup
"""


def test_self_managed_nodegroup_converge_and_tear_down(local_aws, tmp_path):
    path = tmp_path / "cluster.yaml"
    path.write_text(yaml.safe_dump(CONFIG))
    args = ("-e", f"eksctl_config_file={path}")

    result, changed = playbook(local_aws, ROOT / "site.yml", *args)
    assert result.returncode == 0, result.stdout[-4000:]
    assert changed and changed > 0
    autoscaling = boto3.client("autoscaling")
    group = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[f"{NAME}-ng-self"])["AutoScalingGroups"][0]
    assert (group["MinSize"], group["DesiredCapacity"], group["MaxSize"]) == (1, 2, 3)
    assert [m["Metric"] for m in group["EnabledMetrics"]] == ["GroupDesiredCapacity"]
    tags = {t["Key"]: t["Value"] for t in group["Tags"]}
    assert tags["kubernetes.io/cluster/sm"] == "owned" and tags["team"] == "platform"
    assert tags["aews.eks/cluster-name"] == NAME
    assert all(t["PropagateAtLaunch"] for t in group["Tags"])
    public = {s["SubnetId"] for s in boto3.client("ec2").describe_subnets(Filters=owned(NAME))["Subnets"]
              if s["MapPublicIpOnLaunch"]}  # fmt: skip
    assert set(group["VPCZoneIdentifier"].split(",")) == public and len(group["Instances"]) == 2

    ec2 = boto3.client("ec2")
    version = ec2.describe_launch_template_versions(LaunchTemplateName=f"{NAME}-ng-self", Versions=["$Default"])
    data = version["LaunchTemplateVersions"][0]["LaunchTemplateData"]
    ssm = boto3.client("ssm").get_parameter(
        Name="/aws/service/eks/optimized-ami/1.33/amazon-linux-2023/x86_64/standard/recommended/image_id"
    )
    assert data["ImageId"] == ssm["Parameter"]["Value"] and data["InstanceType"] == "t3.medium"
    assert data["IamInstanceProfile"]["Arn"].endswith(f":instance-profile/{NAME}-ng-self-node-profile")
    user_data = base64.b64decode(data["UserData"]).decode()
    cluster = boto3.client("eks").describe_cluster(name=NAME)["cluster"]
    assert f"apiServerEndpoint: {cluster['endpoint']}" in user_data
    assert f"certificateAuthority: {cluster['certificateAuthority']['data']}" in user_data
    assert "echo hello > /tmp/hello" in user_data and "role=worker" in user_data
    role_arn = boto3.client("iam").get_role(RoleName=f"{NAME}-ng-self-node-role")["Role"]["Arn"]
    entry = boto3.client("eks").describe_access_entry(clusterName=NAME, principalArn=role_arn)["accessEntry"]
    assert entry["type"] == "EC2_LINUX"

    # Converged again with nothing to change: the nodegroup role alone, as a user runs it (it reads the definition,
    # the VPC and the cluster itself), to keep the test short.
    again = tmp_path / "nodegroups.yml"
    again.write_text(NODEGROUP_PLAY.format(vars_file=ROOT / "playbooks" / "vars" / "role_parameters.yml"))
    result, changed = playbook(local_aws, again, *args)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "Self-managed | Auto Scaling group" in result.stdout
    assert changed == 0, [line for line in result.stdout.splitlines() if line.startswith("changed")]

    result, changed = playbook(local_aws, ROOT / "playbooks" / "teardown.yml", *args)
    assert result.returncode == 0, result.stdout[-4000:]
    assert boto3.client("eks").list_clusters()["clusters"] == []
    assert autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"] == []
    assert boto3.client("iam").list_instance_profiles()["InstanceProfiles"] == []
    assert [r["RoleName"] for r in boto3.client("iam").list_roles()["Roles"] if r["RoleName"].startswith("sm-")] == []
    assert ec2.describe_launch_templates()["LaunchTemplates"] == []
    assert ec2.describe_vpcs(Filters=owned(NAME))["Vpcs"] == []
