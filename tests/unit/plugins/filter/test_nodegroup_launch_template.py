"""A managed nodegroup on an existing launch template (eksctl managedNodeGroups[].launchTemplate): the importer's
mapping and its refusals by path, the definition's checks of nodegroups[].launch_template."""

from __future__ import annotations

import copy

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.aews.eks.plugins.filter.eksctl_config import FilterModule
from ansible_collections.aews.eks.plugins.module_utils._eks.definition import DefinitionError
from ansible_collections.aews.eks.plugins.module_utils._eks.definition import normalize

eksctl_config = FilterModule().filters()["eksctl_config"]
TEMPLATE = "lt-0123456789abcdef0"
ZONES = ["ap-northeast-2a", "ap-northeast-2c"]
CONFIG = {
    "apiVersion": "eksctl.io/v1alpha5",
    "kind": "ClusterConfig",
    "metadata": {"name": "c1", "region": "ap-northeast-2"},
    "availabilityZones": ZONES,
}


def config(**nodegroup):
    return dict(copy.deepcopy(CONFIG), managedNodeGroups=[dict({"name": "ng"}, **nodegroup)])


def problems(cfg):
    with pytest.raises(AnsibleFilterError) as info:
        eksctl_config(cfg)
    return str(info.value).split("\n")[1:]


def definition(**nodegroup):
    return normalize(
        {"name": "c1", "region": "ap-northeast-2", "vpc": {"availability_zones": ZONES},
         "nodegroups": [dict({"name": "ng"}, **nodegroup)]},
        check_files=False,
    )["nodegroups"][0]  # fmt: skip


def refused(**nodegroup):
    with pytest.raises(DefinitionError) as info:
        definition(**nodegroup)
    return str(info.value)


def test_launch_template_converts_without_what_the_template_carries():
    converted = eksctl_config(config(launchTemplate={"id": TEMPLATE, "version": "3"}))["nodegroups"][0]
    assert converted["launch_template"] == {"id": TEMPLATE, "version": "3"}
    for key in ("volume", "imds", "ssh", "instance_types", "ami_family"):
        assert key not in converted
    nodegroup = normalize(eksctl_config(config(launchTemplate={"id": TEMPLATE})), check_files=False)["nodegroups"][0]
    assert nodegroup["launch_template"] == {"id": TEMPLATE, "name": None, "version": None, "set_on_nodegroup": []}


def test_instance_types_and_ami_family_given_with_it_are_kept_and_marked():
    converted = eksctl_config(
        config(launchTemplate={"id": TEMPLATE}, instanceTypes=["m5.large", "m5a.large"], amiFamily="Bottlerocket")
    )
    nodegroup = normalize(converted, check_files=False)["nodegroups"][0]
    assert nodegroup["instance_types"] == ["m5.large", "m5a.large"]
    assert nodegroup["ami_type"] == "BOTTLEROCKET_x86_64"
    assert nodegroup["launch_template"]["set_on_nodegroup"] == ["ami", "instance_types"]


def test_the_importer_names_every_field_the_template_takes_over():
    cfg = config(
        launchTemplate={"version": "latest"}, volumeSize=20, maxPodsPerNode=30, disableIMDSv1=False,
        ssh={"allow": True}, securityGroups={"attachIDs": ["sg-0a1b2c3d"]},
    )  # fmt: skip
    assert problems(cfg) == [
        "  managedNodeGroups[0].launchTemplate.id: is required with launchTemplate (the id of an existing launch template)",
        "  managedNodeGroups[0].launchTemplate.version: must be a version number (1 or more), not 'latest'",
        "  managedNodeGroups[0].volumeSize: cannot be set with launchTemplate: set it in the launch template",
        "  managedNodeGroups[0].maxPodsPerNode: cannot be set with launchTemplate: set it in the launch template",
        "  managedNodeGroups[0].disableIMDSv1: cannot be set with launchTemplate: set it in the launch template",
        "  managedNodeGroups[0].ssh.allow: cannot be set with launchTemplate: set SSH in the launch template",
        "  managedNodeGroups[0].securityGroups.attachIDs: cannot be set with launchTemplate: set them in the launch "
        "template",
    ]


def test_a_template_by_name_and_a_version_number():
    assert definition(launch_template={"name": "my-nodes", "version": 2})["launch_template"] == {
        "id": None, "name": "my-nodes", "version": "2", "set_on_nodegroup": [],
    }  # fmt: skip


@pytest.mark.parametrize(
    "template, message",
    [
        ({}, "nodegroups[0].launch_template: give the launch template's id or its name (one of them)"),
        ({"id": TEMPLATE, "name": "my-nodes"}, "give the launch template's id or its name (one of them)"),
        ({"id": "template-1"}, "nodegroups[0].launch_template.id: 'template-1' is not a launch template id"),
        ({"name": "a b"}, "nodegroups[0].launch_template.name: 'a b' is not a launch template name"),
        ({"id": TEMPLATE, "version": 0}, "nodegroups[0].launch_template.version: 0 is not a version number"),
        ({"id": TEMPLATE, "version": "$Latest"}, "launch_template.version: '$Latest' is not a version number"),
        ({"id": TEMPLATE, "ami": "x"}, "nodegroups[0].launch_template.ami: unknown key"),
    ],
)
def test_the_definition_refuses_a_bad_template(template, message):
    assert message in refused(launch_template=template)


@pytest.mark.parametrize(
    "nodegroup, message",
    [
        ({"ssh": {"allow": True, "public_key": "ssh-ed25519 AAAA"}}, "nodegroups[0].ssh.allow: SSH to the nodes is set"),
        ({"volume": {"size": 20}}, "nodegroups[0].volume: the root volume is taken from the launch template"),
        ({"imds": {"hop_limit": 1}}, "nodegroups[0].imds: the instance metadata setting is taken from the launch template"),
        ({"max_pods": 20}, "nodegroups[0].max_pods: the max pods (in its user data) is taken from the launch template"),
        ({"security_group_ids": ["sg-0a1b2c3d"]}, "nodegroups[0].security_group_ids: each security group of the nodes is taken from"),
    ],
)
def test_the_definition_refuses_what_the_template_carries(nodegroup, message):
    assert message in refused(launch_template={"id": TEMPLATE}, **nodegroup)
