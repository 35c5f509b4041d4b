"""Managed nodegroups' ami, pre_bootstrap_commands, override_bootstrap_command, instance_name and ssh.public_key_name:
the eksctl importer (managedNodeGroups[] fields, eksctl's rules by ClusterConfig path), the definition's checks, and
the launch template data and user data the nodegroup role writes from them (aews.eks.node_launch_template)."""

from __future__ import annotations

import base64
import copy

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.aews.eks.plugins.filter.eksctl_config import FilterModule as EksctlFilters
from ansible_collections.aews.eks.plugins.filter.launch_template import FilterModule as TemplateFilters
from ansible_collections.aews.eks.plugins.module_utils._eks.definition import DefinitionError
from ansible_collections.aews.eks.plugins.module_utils._eks.definition import normalize
from ansible_collections.aews.eks.plugins.module_utils._eks.self_managed import join_user_data

eksctl_config = EksctlFilters().filters()["eksctl_config"]
node_launch_template = TemplateFilters().filters()["node_launch_template"]

AMI = "ami-0123456789abcdef0"
ZONES = ["ap-northeast-2a", "ap-northeast-2c"]
BASE = {"name": "c1", "region": "ap-northeast-2", "version": "1.32", "vpc": {"availability_zones": ZONES}}
CONFIG = {"apiVersion": "eksctl.io/v1alpha5", "kind": "ClusterConfig",
          "metadata": {"name": "c1", "region": "ap-northeast-2", "version": "1.32"}}  # fmt: skip
# The cluster as aews.eks.eks_cluster_info returns it.
CLUSTER = {
    "name": "c1",
    "endpoint": "https://ABC.gr7.ap-northeast-2.eks.amazonaws.com",
    "certificate_authority": {"data": "Q0VSVA=="},
    "kubernetes_network_config": {"service_ipv4_cidr": "10.100.0.0/16"},
}


def nodegroup(**keys):
    return normalize(dict(copy.deepcopy(BASE), nodegroups=[dict({"name": "ng"}, **keys)]), check_files=False)[
        "nodegroups"
    ][0]


def refused(**keys):
    with pytest.raises(DefinitionError) as info:
        nodegroup(**keys)
    return str(info.value)


def imported(**fields):
    cfg = dict(copy.deepcopy(CONFIG), managedNodeGroups=[dict({"name": "ng"}, **fields)])
    return eksctl_config(cfg)


def problems(**fields):
    with pytest.raises(AnsibleFilterError) as info:
        imported(**fields)
    return str(info.value).split("\n")[1:]


def template(ng, **kwargs):
    return node_launch_template(
        ng, "c1", security_group_ids=["sg-0d0d0d0d0d0d0d0d0"], ssh_security_group_id="sg-0e0e0e0e0e0e0e0e0",
        cluster_info=CLUSTER, **kwargs
    )  # fmt: skip


# ---------------------------------------------------------------- the eksctl importer
def test_the_fields_convert_and_keep_their_clusterconfig_paths():
    result = imported(
        ami=AMI, preBootstrapCommands=["echo a", "echo b"], instanceName="web", ssh={"publicKeyName": "team-key"}
    )
    ng = result["nodegroups"][0]
    assert ng["ami"] == AMI and ng["instance_name"] == "web"
    assert ng["pre_bootstrap_commands"] == ["echo a", "echo b"]
    assert ng["ssh"] == {"allow": True, "public_key_name": "team-key"}  # no public key file
    paths = result["source"]["paths"]
    assert paths["nodegroups[0].ami"] == "managedNodeGroups[0].ami"
    assert paths["nodegroups[0].ssh.public_key_name"] == "managedNodeGroups[0].ssh.publicKeyName"
    assert paths["nodegroups[0].pre_bootstrap_commands"] == "managedNodeGroups[0].preBootstrapCommands"
    assert paths["nodegroups[0].override_bootstrap_command"] == "managedNodeGroups[0].overrideBootstrapCommand"
    assert paths["nodegroups[0].instance_name"] == "managedNodeGroups[0].instanceName"
    al2 = imported(amiFamily="AmazonLinux2", ami=AMI, overrideBootstrapCommand="/etc/eks/bootstrap.sh c1")
    assert al2["nodegroups"][0]["override_bootstrap_command"] == "/etc/eks/bootstrap.sh c1"


def test_eksctls_rules_are_named_by_path_in_one_run():
    lines = problems(
        amiFamily="AmazonLinux2", ami="ami-xyz", releaseVersion="1.32.0-20250101", maxPodsPerNode=20,
        ssh={"publicKeyName": "k", "publicKeyPath": "~/.ssh/id.pub"},
    )  # fmt: skip
    assert "  managedNodeGroups[0].ami: invalid AMI 'ami-xyz' (ami- and 8 or 17 hexadecimal digits)" in lines
    assert ("  managedNodeGroups[0].overrideBootstrapCommand: is required when using a custom AMI based on "
            "AmazonLinux2 (managedNodeGroups[0].ami)") in lines  # fmt: skip
    assert (
        "  managedNodeGroups[0].releaseVersion: is not supported when using a custom AMI (managedNodeGroups[0].ami)"
        in lines
    )
    assert (
        "  managedNodeGroups[0].maxPodsPerNode: is not supported when using a custom AMI (managedNodeGroups[0].ami)"
        in lines
    )
    assert ("  managedNodeGroups[0].ssh.publicKeyName: only one of publicKeyName, publicKeyPath and publicKey, "
            "not also "
            "publicKeyPath") in lines  # fmt: skip
    assert problems(overrideBootstrapCommand="/join.sh") == [
        "  managedNodeGroups[0].overrideBootstrapCommand: can only be set when a custom AMI (managedNodeGroups[0].ami) "
        "is specified"
    ]
    assert problems(ami=AMI, overrideBootstrapCommand="/join.sh") == [
        "  managedNodeGroups[0].overrideBootstrapCommand: is not supported for AmazonLinux2023 nodegroups"
    ]
    assert problems(amiFamily="Bottlerocket", preBootstrapCommands=["echo"]) == [
        "  managedNodeGroups[0].preBootstrapCommands: is not supported for Bottlerocket nodegroups"
    ]
    assert problems(amiFamily="WindowsServer2022CoreContainer", ami=AMI) == [
        "  managedNodeGroups[0].ami: is not supported for WindowsServer2022CoreContainer managed nodegroups"
    ]
    # With a launch template of one's own, the template carries them (eksctl refuses them with it).
    lines = problems(launchTemplate={"id": "lt-0123456789abcdef0"}, ami=AMI, instanceName="n",
                     preBootstrapCommands=["x"], ssh={"publicKeyName": "k"})  # fmt: skip
    for path in ("ami", "instanceName", "preBootstrapCommands", "ssh.publicKeyName"):
        assert f"  managedNodeGroups[0].{path}: cannot be set with launchTemplate: set " in "\n".join(lines), path


# ---------------------------------------------------------------- the definition
def test_the_definition_normalizes_them():
    ng = nodegroup(ami=AMI, pre_bootstrap_commands=["echo a"], instance_name="web", ssh={"public_key_name": "k"})
    assert (ng["ami"], ng["pre_bootstrap_commands"], ng["instance_name"]) == (AMI, ["echo a"], "web")
    assert ng["ami_type"] == "AL2023_x86_64_STANDARD"  # the family's; the nodegroup role sends CUSTOM with ami
    assert ng["ssh"]["allow"] is True and ng["ssh"]["public_key_name"] == "k"
    plain = nodegroup()
    assert (plain["ami"], plain["pre_bootstrap_commands"], plain["override_bootstrap_command"]) == (None, [], None)
    assert plain["instance_name"] is None and plain["ssh"]["public_key_name"] is None


@pytest.mark.parametrize(
    "keys, message",
    [
        (dict(ami="ami-1"), "aews_eks_cluster.nodegroups[0].ami: 'ami-1' is not an AMI ID"),
        (dict(override_bootstrap_command="/join.sh"),
         "nodegroups[0].override_bootstrap_command: can only be set with a custom AMI (nodegroups[0].ami)"),
        (dict(ami=AMI, override_bootstrap_command="/join.sh"),
         "nodegroups[0].override_bootstrap_command: is for AmazonLinux2 AMIs; AL2023_x86_64_STANDARD nodes join with "
         "nodeadm"),
        (dict(ami=AMI, ami_family="AmazonLinux2"),
         "nodegroups[0].override_bootstrap_command: is required with a custom AmazonLinux2 AMI"),
        (dict(ami_family="Bottlerocket", pre_bootstrap_commands=["echo"]),
         "nodegroups[0].pre_bootstrap_commands: Bottlerocket runs no shell commands"),
        (dict(ami_family="Windows2022", pre_bootstrap_commands=["echo"]),
         "nodegroups[0].pre_bootstrap_commands: is not supported for Windows managed nodegroups"),
        (dict(ami=AMI, release_version="1.32.0-20250101"),
         "nodegroups[0].release_version: cannot be set with a custom AMI"),
        (dict(pre_bootstrap_commands=[""]), "nodegroups[0].pre_bootstrap_commands[0]: must be a non-empty string"),
        (dict(instance_name="x" * 257), "nodegroups[0].instance_name: must be a string of 1 to 256 characters"),
        (dict(ssh={"public_key_name": "k", "public_key": "ssh-ed25519 AAAA"}),
         "nodegroups[0].ssh.public_key_name: give one of public_key_name, public_key_path and public_key, not also "
         "nodegroups[0].ssh.public_key"),
        (dict(ssh={"public_key_name": "k", "allow": False}), "nodegroups[0].ssh.public_key_name: needs"),
        (dict(launch_template={"id": "lt-0123456789abcdef0"}, instance_name="n"),
         "nodegroups[0].instance_name: the instances' Name tag (its tag specifications) is taken from the launch "
         "template"),
        (dict(launch_template={"id": "lt-0123456789abcdef0"}, ssh={"public_key_name": "k"}),
         "nodegroups[0].ssh.public_key_name: SSH to the nodes is set in the launch template"),
    ],
)  # fmt: skip
def test_the_definition_refuses_by_path(keys, message):
    assert message in refused(**keys)


# ---------------------------------------------------------------- the launch template data and user data
def test_an_existing_key_pair_and_the_instances_name():
    data = template(nodegroup(ssh={"public_key_name": "team-key"}, instance_name="web"))["data"]
    assert data["KeyName"] == "team-key"
    assert "sg-0e0e0e0e0e0e0e0e0" in data["SecurityGroupIds"]  # the SSH security group
    for spec in data["TagSpecifications"]:
        assert {"Key": "Name", "Value": "web"} in spec["Tags"]
    default = template(nodegroup())["data"]
    assert default["TagSpecifications"][0]["Tags"] == [{"Key": "Name", "Value": "c1-ng-Node"}]
    assert "KeyName" not in default and "ImageId" not in default and "UserData" not in default


def test_pre_bootstrap_commands_on_eks_amis_come_before_what_eks_merges():
    al2023 = template(nodegroup(pre_bootstrap_commands=["echo one", "echo two"], max_pods=30))
    text = al2023["user_data"]
    assert text.startswith('MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="//"\n\n--//\n'
                           "Content-Type: text/x-shellscript\n\n#!/bin/bash\nset -o errexit -o pipefail -o nounset\n"
                           "echo one\necho two\n\n--//\nContent-Type: application/node.eks.aws\n")  # fmt: skip
    assert text.endswith("kind: NodeConfig\nspec:\n  kubelet:\n    config:\n      maxPods: 30\n\n--//--\n")
    assert base64.b64decode(al2023["data"]["UserData"]).decode() == text
    assert "ImageId" not in al2023["data"] and "cluster:" not in text  # EKS joins the node of its own AMI
    al2 = template(nodegroup(ami_family="AmazonLinux2", pre_bootstrap_commands=["echo one"]))["user_data"]
    assert al2 == ('MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="//"\n\n--//\nContent-Type: '
                   "text/x-shellscript\n\n#!/bin/bash\nset -o errexit -o pipefail -o nounset\necho one\n"
                   "\n--//--\n")  # fmt: skip


def test_max_pods_alone_keeps_the_user_data_it_had():
    # The bytes an existing template has: a re-run makes no new version.
    text = template(nodegroup(max_pods=20))["user_data"]
    assert text == ('MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="//"\n\n--//\n'
                    "Content-Type: application/node.eks.aws\n\n---\napiVersion: node.eks.aws/v1alpha1\n"
                    "kind: NodeConfig\n"
                    "spec:\n  kubelet:\n    config:\n      maxPods: 20\n\n--//--\n")  # fmt: skip


def test_a_custom_al2023_ami_joins_with_the_clusters_details_as_a_self_managed_node_does():
    ng = nodegroup(ami=AMI, pre_bootstrap_commands=["echo before"], labels={"role": "web"},
                   taints=[{"key": "dedicated", "value": "web", "effect": "NoSchedule"}], max_pods=50)  # fmt: skip
    result = template(ng)
    assert result["data"]["ImageId"] == AMI
    join = {"name": "c1", "endpoint": CLUSTER["endpoint"], "certificate_authority": "Q0VSVA==",
            "service_cidr": "10.100.0.0/16"}  # fmt: skip
    # One function writes both: the self-managed nodegroups' join_user_data.
    assert result["user_data"] == join_user_data(
        "AmazonLinux2023",
        join,
        {"labels": ng["labels"], "taints": ng["taints"], "max_pods": 50, "pre_bootstrap_commands": ["echo before"]},
    )
    text = result["user_data"]
    assert text.index("echo before") < text.index("kind: NodeConfig")
    for line in ("    apiServerEndpoint: https://ABC.gr7.ap-northeast-2.eks.amazonaws.com",
                 "    certificateAuthority: Q0VSVA==", "    cidr: 10.100.0.0/16", "      maxPods: 50",
                 '      - "--register-with-taints=dedicated=web:NoSchedule"'):  # fmt: skip
        assert f"\n{line}\n" in text, line


def test_a_custom_al2_ami_runs_the_commands_then_the_override():
    ng = nodegroup(ami=AMI, ami_family="AmazonLinux2", pre_bootstrap_commands=["echo before"],
                   override_bootstrap_command="/etc/eks/bootstrap.sh c1 --kubelet-extra-args '--max-pods=20'",
                   )  # fmt: skip
    result = template(ng)
    assert result["data"]["ImageId"] == AMI
    assert result["user_data"] == ("#!/bin/bash\nset -o errexit -o pipefail -o nounset\necho before\n"
                                   "/etc/eks/bootstrap.sh c1 --kubelet-extra-args '--max-pods=20'\n")  # fmt: skip


def test_a_custom_bottlerocket_ami_gets_its_settings():
    text = template(nodegroup(ami=AMI, ami_family="Bottlerocket"))["user_data"]
    assert text.startswith('[settings.kubernetes]\ncluster-name = "c1"\napi-server = "https://ABC.gr7.')
    assert 'cluster-dns-ip = "10.100.0.10"' in text


def test_a_custom_ami_before_the_cluster_exists_says_its_details_are_pending():
    ng = nodegroup(ami=AMI)
    text = node_launch_template(ng, "c1", security_group_ids=["sg-0d0d0d0d0d0d0d0d0"], cluster_info={})["user_data"]
    assert "apiServerEndpoint: https://pending.cluster.endpoint" in text


def test_the_filter_refuses_what_the_definition_would():
    with pytest.raises(
        AnsibleFilterError, match="nodegroup ng: pre_bootstrap_commands: BOTTLEROCKET_x86_64 nodes run no"
    ):
        template(dict(nodegroup(ami_family="Bottlerocket"), pre_bootstrap_commands=["echo"]))
    with pytest.raises(AnsibleFilterError, match="override_bootstrap_command is only for a custom AMI"):
        template(dict(nodegroup(), override_bootstrap_command="/join.sh"))
    with pytest.raises(AnsibleFilterError, match="cluster_info must be the cluster"):
        node_launch_template(nodegroup(), "c1", security_group_ids=["sg-1"], cluster_info="c1")
