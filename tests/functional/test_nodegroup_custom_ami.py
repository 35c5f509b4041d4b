"""The nodegroup role with eksctl's managedNodeGroups[].ami, preBootstrapCommands, overrideBootstrapCommand,
instanceName and ssh.publicKeyName: the launch template the role writes carries the custom AMI (the nodegroup's AMI type
is EKS's CUSTOM), the user data that joins the node (the pre-bootstrap commands, then a NodeConfig with the cluster's
details), the instances' Name and the existing key pair (no key pair made); check mode predicts without a mutating
call; a change of them rolls the nodegroup to a new template version; a re-run changes nothing; a missing AMI or key
pair, and the fields eksctl refuses, fail by their ClusterConfig path before any change."""

from __future__ import annotations

import base64

import boto3
from test_nodegroup_launch_template import PLAY
from test_nodegroup_launch_template import config
from test_nodegroup_launch_template import existing_cluster
from test_site import playbook

NAME = "ltg"
REGION = "ap-northeast-2"


def template_data(ec2, version="$Latest"):
    return ec2.describe_launch_template_versions(LaunchTemplateName=f"{NAME}-ng", Versions=[version])[
        "LaunchTemplateVersions"
    ][0]["LaunchTemplateData"]


def test_a_nodegroup_on_a_custom_ami_with_its_bootstrap_name_and_key_pair(local_aws, tmp_path):
    ec2, eks = boto3.client("ec2", region_name=REGION), boto3.client("eks", region_name=REGION)
    image = ec2.register_image(Name="my-al2023-node", RootDeviceName="/dev/xvda", Architecture="x86_64")["ImageId"]
    ec2.create_key_pair(KeyName="my-key")
    vpc, subnets = existing_cluster(ec2, eks)
    cluster = eks.describe_cluster(name=NAME)["cluster"]
    (tmp_path / "play.yml").write_text(PLAY)

    def run(fields, *args):
        path = config(tmp_path / "cluster.yaml", vpc, subnets, **fields)
        return playbook(local_aws, tmp_path / "play.yml", "-e", f"eksctl_config_file={path}", *args)

    nodegroup = {
        "ami": image,
        "preBootstrapCommands": ["echo before > /tmp/pre"],
        "instanceName": "custom-node",
        "ssh": {"publicKeyName": "my-key"},
    }
    local_aws.clear_requests()
    result, changed = run(nodegroup, "--check")
    assert result.returncode == 0, result.stdout[-4000:]
    assert changed and changed > 0
    assert local_aws.requests(mutating=True) == []
    assert "Would create nodegroup ng with its new launch template ltg-ng" in result.stdout

    result, changed = run(nodegroup)
    assert result.returncode == 0, result.stdout[-4000:]
    made = eks.describe_nodegroup(clusterName=NAME, nodegroupName="ng")["nodegroup"]
    assert made["amiType"] == "CUSTOM"
    assert made["launchTemplate"]["name"] == f"{NAME}-ng"
    data = template_data(ec2)
    assert data["ImageId"] == image and data["KeyName"] == "my-key"
    for spec in data["TagSpecifications"]:
        assert {"Key": "Name", "Value": "custom-node"} in spec["Tags"]
    user_data = base64.b64decode(data["UserData"]).decode()
    # The commands first, in a shell script part, then the NodeConfig that joins the node to this cluster.
    script, node_config = user_data.index("echo before > /tmp/pre"), user_data.index("kind: NodeConfig")
    assert "Content-Type: text/x-shellscript" in user_data[:script] and script < node_config
    assert f"apiServerEndpoint: {cluster['endpoint']}" in user_data
    assert f"certificateAuthority: {cluster['certificateAuthority']['data']}" in user_data
    assert f"cidr: {cluster['kubernetesNetworkConfig']['serviceIpv4Cidr']}" in user_data
    # The existing key pair is used, none imported.
    assert [k["KeyName"] for k in ec2.describe_key_pairs()["KeyPairs"]] == ["my-key"]
    assert not [r for r in local_aws.requests() if r["operation"] == "ImportKeyPair"]

    local_aws.clear_requests()
    result, changed = run(nodegroup, "--check")
    assert result.returncode == 0 and changed == 0, result.stdout[-4000:]
    result, changed = run(nodegroup)
    assert result.returncode == 0 and changed == 0, result.stdout[-4000:]
    assert local_aws.requests(mutating=True) == []

    # A new instance name is launch template data: check mode says the nodes are replaced, the run rolls them.
    renamed = dict(nodegroup, instanceName="renamed-node")
    local_aws.clear_requests()
    result, changed = run(renamed, "--check")
    assert result.returncode == 0 and changed, result.stdout[-4000:]
    assert local_aws.requests(mutating=True) == []
    assert "Would update nodegroup ng to version 2 of its launch template ltg-ng" in " ".join(result.stdout.split())
    result, changed = run(renamed)
    assert result.returncode == 0, result.stdout[-4000:]
    assert "Replacing the 1 nodes of ng (launch template ltg-ng version 2" in " ".join(result.stdout.split())
    assert eks.describe_nodegroup(clusterName=NAME, nodegroupName="ng")["nodegroup"]["launchTemplate"]["version"] == "2"
    assert {"Key": "Name", "Value": "renamed-node"} in template_data(ec2, "2")["TagSpecifications"][0]["Tags"]
    result, changed = run(renamed)
    assert result.returncode == 0 and changed == 0, result.stdout[-4000:]


def test_a_missing_ami_or_key_pair_and_what_eksctl_refuses_fail_by_path_before_any_change(local_aws, tmp_path):
    # Refused by the definition stage, before the nodegroup role reads or writes anything: no cluster is needed.
    vpc, subnets = "vpc-0123456789abcdef0", {
        f"{REGION}a": "subnet-0123456789abcdef0",
        f"{REGION}c": "subnet-0123456789abcdef1",
    }
    (tmp_path / "play.yml").write_text(PLAY)

    def run(**nodegroup):
        path = config(tmp_path / "cluster.yaml", vpc, subnets, **nodegroup)
        local_aws.clear_requests()
        result, _changed = playbook(local_aws, tmp_path / "play.yml", "-e", f"eksctl_config_file={path}")
        assert result.returncode != 0
        assert local_aws.requests(mutating=True) == []
        return " ".join(result.stdout.split())

    # Both reads' problems in one message (DescribeImages, DescribeKeyPairs).
    out = run(ami="ami-0123456789abcdef0", ssh={"publicKeyName": "nobody-has-it"})
    assert "managedNodeGroups[0].ami: no AMI ami-0123456789abcdef0 in ap-northeast-2 (DescribeImages)" in out, out[
        -3000:
    ]
    assert "managedNodeGroups[0].ssh.publicKeyName: no key pair nobody-has-it in ap-northeast-2" in out, out[-3000:]

    # eksctl's rules, every problem in one run.
    out = run(
        amiFamily="Bottlerocket", ami="ami-12", preBootstrapCommands=["echo hi"], overrideBootstrapCommand="/join.sh"
    )
    assert "managedNodeGroups[0].ami: invalid AMI 'ami-12'" in out, out[-3000:]
    assert "managedNodeGroups[0].preBootstrapCommands: is not supported for Bottlerocket nodegroups" in out, out[-3000:]
    assert "managedNodeGroups[0].overrideBootstrapCommand: is not supported for Bottlerocket nodegroups" in out
