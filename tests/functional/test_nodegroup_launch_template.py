"""The nodegroup role with a managed nodegroup on a launch template of its own (eksctl launchTemplate): the nodegroup
uses the template's version given (its instance type instead of the nodegroup's, the nodegroup's AMI type since the
template has no AMI), the role writes no template of its own, a new version rolls the nodegroup in place, a re-run
changes nothing, and a template version that has an instance type refuses instanceType on the nodegroup."""

from __future__ import annotations

import json

import boto3
import yaml
from test_site import playbook

NAME = "ltg"
REGION = "ap-northeast-2"
PLAY = """
- name: The nodegroups of an eksctl ClusterConfig
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: The eksctl ClusterConfig
      ansible.builtin.include_role:
        name: aews.eks.definition
        tasks_from: eksctl
      vars:
        definition_eksctl_config_file: "{{ eksctl_config_file }}"
    - name: Nodegroups
      ansible.builtin.include_role:
        name: aews.eks.nodegroup
"""


REFUSED = """
- name: A nodegroup giving an instance type its launch template gives too
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/aews.eks.eks:
      region: ap-northeast-2
  tasks:
    - name: Prepare the nodegroup
      ansible.builtin.include_role:
        name: aews.eks.nodegroup
        tasks_from: prepare_launch_template
      vars:
        __ng_cluster: ltg
        __ng_tags: {}
        __ng_c: {region: ap-northeast-2}
        __ng:
          name: ng
          node_role: {managed_policy_arns: [], inline_policies: {}}
          launch_template: {id: "{{ template_id }}", name: null, version: "2", set_on_nodegroup: [instance_types]}
"""


def existing_cluster(ec2, eks):
    """An existing VPC (its subnets, the security groups the vpc role names) and an ACTIVE cluster in it."""
    vpc = ec2.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]
    subnets = {
        zone: ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for zone, cidr in ((f"{REGION}a", "10.50.0.0/20"), (f"{REGION}c", "10.50.16.0/20"))
    }
    for group in ("control-plane", "shared-nodes"):
        ec2.create_security_group(GroupName=f"{NAME}-{group}", Description=group, VpcId=vpc)
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"},
                                                     "Action": "sts:AssumeRole"}]}  # fmt: skip
    role = boto3.client("iam").create_role(RoleName=f"{NAME}-cluster", AssumeRolePolicyDocument=json.dumps(trust))
    eks.create_cluster(name=NAME, roleArn=role["Role"]["Arn"], resourcesVpcConfig={"subnetIds": list(subnets.values())})
    eks.get_waiter("cluster_active").wait(name=NAME, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    return vpc, subnets


def config(path, vpc, subnets, **nodegroup):
    path.write_text(yaml.safe_dump({
        "apiVersion": "eksctl.io/v1alpha5",
        "kind": "ClusterConfig",
        "metadata": {"name": NAME, "region": REGION, "version": "1.33"},
        "vpc": {"id": vpc, "subnets": {"public": {zone: {"id": subnet} for zone, subnet in subnets.items()}}},
        "addonsConfig": {"disableDefaultAddons": True},
        "managedNodeGroups": [dict({"name": "ng", "minSize": 1, "maxSize": 2, "desiredCapacity": 1}, **nodegroup)],
    }))  # fmt: skip
    return path


def test_a_nodegroup_on_a_launch_template_of_its_own(local_aws, tmp_path):
    ec2, eks = boto3.client("ec2", region_name=REGION), boto3.client("eks", region_name=REGION)
    template = ec2.create_launch_template(
        LaunchTemplateName="my-nodes", LaunchTemplateData={"InstanceType": "t3.large"}
    )["LaunchTemplate"]["LaunchTemplateId"]
    ec2.create_launch_template_version(LaunchTemplateId=template, LaunchTemplateData={"InstanceType": "t3.xlarge"})
    vpc, subnets = existing_cluster(ec2, eks)
    (tmp_path / "play.yml").write_text(PLAY)

    def run(**nodegroup):
        path = config(tmp_path / "cluster.yaml", vpc, subnets, **nodegroup)
        return playbook(local_aws, tmp_path / "play.yml", "-e", f"eksctl_config_file={path}")

    result, _changed = run(launchTemplate={"id": template, "version": "1"})
    assert result.returncode == 0, result.stdout[-4000:]
    nodegroup = eks.describe_nodegroup(clusterName=NAME, nodegroupName="ng")["nodegroup"]
    assert nodegroup["launchTemplate"] == {"name": "my-nodes", "id": template, "version": "1"}
    assert nodegroup["amiType"] == "AL2023_x86_64_STANDARD"
    templates = [t["LaunchTemplateName"] for t in ec2.describe_launch_templates()["LaunchTemplates"]]
    assert templates == ["my-nodes"]  # none of the role's own

    local_aws.clear_requests()
    result, changed = run(launchTemplate={"id": template, "version": "2"})
    assert result.returncode == 0, result.stdout[-4000:]
    assert "Replacing the 1 nodes of ng (launch template my-nodes version 2" in result.stdout
    updates = [r for r in local_aws.requests(mutating=True) if r["operation"] == "UpdateNodegroupVersion"]
    assert len(updates) == 1
    assert eks.describe_nodegroup(clusterName=NAME, nodegroupName="ng")["nodegroup"]["launchTemplate"]["version"] == "2"

    result, changed = run(launchTemplate={"id": template, "version": "2"})
    assert result.returncode == 0 and changed == 0, result.stdout[-4000:]

    # The template's version has an instance type: the nodegroup's instance type is refused before any change (the
    # nodegroup's preparation alone, as create.yml runs it for each nodegroup with a launch template).
    (tmp_path / "refused.yml").write_text(REFUSED)
    local_aws.clear_requests()
    result, _changed = playbook(local_aws, tmp_path / "refused.yml", "-e", f"template_id={template}")
    assert result.returncode != 0
    assert "nodegroup ng: instance_types: version 2 of launch template my-nodes has its own instance type (t3.xlarge)" in (
        " ".join(result.stdout.split())
    ), result.stdout[-3000:]
    assert local_aws.requests(mutating=True) == []
