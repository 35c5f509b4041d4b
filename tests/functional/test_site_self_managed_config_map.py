"""site.yml with a self-managed nodegroup on a cluster that authenticates by the aws-auth ConfigMap only
(accessConfig.authenticationMode CONFIG_MAP): the node role gets no access entry (EKS takes none in that mode), and the
run prints the aws-auth mapRoles entry its nodes need, with the node role's ARN, the node username and groups; the
nodegroup role run again changes nothing and prints it again."""

from __future__ import annotations

import boto3
import yaml
from test_site import ROOT
from test_site import playbook
from test_site_self_managed import NODEGROUP_PLAY

NAME = "smcm"
CONFIG = {
    "apiVersion": "eksctl.io/v1alpha5",
    "kind": "ClusterConfig",
    "metadata": {"name": NAME, "region": "ap-northeast-2", "version": "1.33"},
    "availabilityZones": ["ap-northeast-2a", "ap-northeast-2c"],
    "vpc": {"cidr": "10.60.0.0/16", "nat": {"gateway": "Disable"}},
    "accessConfig": {"authenticationMode": "CONFIG_MAP"},
    "addonsConfig": {"disableDefaultAddons": True},
    "nodeGroups": [{"name": "ng-cm", "instanceType": "t3.medium", "desiredCapacity": 1}],
}


def printed_entry(stdout):
    """The mapRoles entry the run printed (the debug task's second message, as YAML)."""
    start = stdout.index("Self-managed | The aws-auth ConfigMap entry the nodes need")
    section = stdout[start : stdout.index("TASK [", start + 1) if "TASK [" in stdout[start + 1 :] else None]
    assert "authenticates by the aws-auth ConfigMap only (authentication mode CONFIG_MAP)" in " ".join(section.split())
    return section


def test_config_map_cluster_gets_the_aws_auth_entry_not_an_access_entry(local_aws, tmp_path):
    path = tmp_path / "cluster.yaml"
    path.write_text(yaml.safe_dump(CONFIG))
    args = ("-e", f"eksctl_config_file={path}")

    result, changed = playbook(local_aws, ROOT / "site.yml", *args)
    assert result.returncode == 0, result.stdout[-4000:]
    eks = boto3.client("eks", region_name="ap-northeast-2")
    cluster = eks.describe_cluster(name=NAME)["cluster"]
    assert cluster["accessConfig"]["authenticationMode"] == "CONFIG_MAP"
    # No access entry was asked for: EKS refuses every access entry call on a CONFIG_MAP cluster.
    assert [r for r in local_aws.requests() if r["operation"].endswith("AccessEntry")] == []
    role_arn = boto3.client("iam").get_role(RoleName=f"{NAME}-ng-cm-node-role")["Role"]["Arn"]
    section = printed_entry(result.stdout)
    assert f"rolearn: {role_arn}" in section
    assert "username: system:node:{{EC2PrivateDNSName}}" in section
    assert "- system:bootstrappers" in section and "- system:nodes" in section
    group = boto3.client("autoscaling", region_name="ap-northeast-2").describe_auto_scaling_groups(
        AutoScalingGroupNames=[f"{NAME}-ng-cm"])["AutoScalingGroups"][0]  # fmt: skip
    assert len(group["Instances"]) == 1

    again = tmp_path / "nodegroups.yml"
    again.write_text(NODEGROUP_PLAY.format(vars_file=ROOT / "playbooks" / "vars" / "role_parameters.yml"))
    local_aws.clear_requests()
    result, changed = playbook(local_aws, again, *args)
    assert result.returncode == 0, result.stdout[-3000:]
    assert changed == 0, [line for line in result.stdout.splitlines() if line.startswith("changed")]
    assert f"rolearn: {role_arn}" in printed_entry(result.stdout)
    assert [r for r in local_aws.requests() if r["operation"].endswith("AccessEntry")] == []
