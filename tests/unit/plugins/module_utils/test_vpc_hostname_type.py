# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The subnets' hostname type (eksctl's vpc.hostnameType): the importer, the definition, and eks_vpc's plan,
prediction and diff."""

from __future__ import annotations

import copy

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.aews.eks.plugins.filter.eksctl_config import FilterModule
from ansible_collections.aews.eks.plugins.module_utils._eks import vpc
from ansible_collections.aews.eks.plugins.module_utils._eks.definition import DefinitionError
from ansible_collections.aews.eks.plugins.module_utils._eks.definition import normalize
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError


A, C = "ap-northeast-2a", "ap-northeast-2c"
PARAMS = {
    "name": "myeks",
    "cidr": "192.168.0.0/16",
    "subnets": {
        "public": {A: "192.168.0.0/19", C: "192.168.32.0/19"},
        "private": {A: "192.168.64.0/19", C: "192.168.96.0/19"},
    },
    "nat": "single",
}
eksctl_config = FilterModule().filters()["eksctl_config"]
CONFIG = {
    "apiVersion": "eksctl.io/v1alpha5",
    "kind": "ClusterConfig",
    "metadata": {"name": "c1", "region": "ap-northeast-2"},
    "availabilityZones": [A, C],
}
SUBNETS = [f"subnet:{kind}:{zone}" for kind in ("public", "private") for zone in (A, C)]


def config(**vpc_section):
    return dict(copy.deepcopy(CONFIG), vpc=vpc_section)


def problems(cfg):
    with pytest.raises(AnsibleFilterError) as info:
        eksctl_config(cfg)
    return str(info.value).split("\n")[1:]


def desired(hostname_type):
    return vpc.build_desired(dict(PARAMS, hostname_type=hostname_type))


def actions(changes):
    return [(c["action"], c["key"]) for c in changes]


def converged(hostname_type):
    """The model of the VPC built with the subnets' hostname type ``hostname_type``, read back from EC2's answers."""
    d = desired(hostname_type)
    built = vpc.predict(vpc.empty_model(), d, vpc.plan(vpc.empty_model(), d), {})
    subnets = [
        {"SubnetId": s["id"], "VpcId": built["vpc"]["id"], "CidrBlock": s["cidr"], "AvailabilityZone": s["zone"],
         "MapPublicIpOnLaunch": s["map_public"], "Tags": [{"Key": k, "Value": v} for k, v in s["tags"].items()],
         "PrivateDnsNameOptionsOnLaunch": {"HostnameType": s["hostname_type"], "EnableResourceNameDnsARecord": False}}
        for s in built["subnets"].values()
    ]  # fmt: skip
    read = vpc.model_from(d, {"VpcId": built["vpc"]["id"], "CidrBlock": d["cidr"], "Tags": []}, {}, subnets, [], [],
                          [], [])  # fmt: skip
    return dict(built, subnets=read["subnets"])


# ---------------------------------------------------------------- importer and definition
@pytest.mark.parametrize("value", ["resource-name", "ip-name"])
def test_hostname_type_converts_and_normalizes(value):
    converted = eksctl_config(config(hostnameType=value))
    assert converted["vpc"]["hostname_type"] == value
    assert normalize(converted, check_files=False)["vpc"]["hostname_type"] == value


def test_unset_hostname_type_leaves_the_subnets_alone():
    converted = eksctl_config(config())
    assert "hostname_type" not in converted["vpc"]
    assert normalize(converted, check_files=False)["vpc"]["hostname_type"] is None


def test_an_unknown_hostname_type_is_named_by_its_path():
    assert problems(config(hostnameType="dns-name")) == [
        "  vpc.hostnameType: must be one of resource-name, ip-name, not 'dns-name'"
    ]


def test_hostname_type_with_an_existing_vpc_is_refused_once():
    cfg = config(hostnameType="resource-name", id="vpc-0a1b2c3d",
                 subnets={"private": {A: {"id": "subnet-0a"}, C: {"id": "subnet-0c"}}})  # fmt: skip
    assert problems(cfg) == [
        "  vpc.hostnameType: applies to the subnets aews.eks builds, not to those of an existing VPC (vpc.id)"
    ]


def test_the_definition_refuses_a_bad_value_and_an_adopted_vpc():
    base = {"name": "c1", "region": "ap-northeast-2"}
    with pytest.raises(DefinitionError, match=r"vpc.hostname_type: 'name' is not one of resource-name, ip-name"):
        normalize(dict(base, vpc={"availability_zones": [A, C], "hostname_type": "name"}), check_files=False)
    adopted = {"id": "vpc-0a1b2c3d", "subnet_ids": {"private": {A: "subnet-0a", C: "subnet-0c"}},
               "hostname_type": "resource-name"}  # fmt: skip
    with pytest.raises(DefinitionError, match=r"vpc.hostname_type: sets the hostname type of the subnets the vpc"):
        normalize(dict(base, vpc=adopted), check_files=False)


# ---------------------------------------------------------------- eks_vpc
def test_a_bad_hostname_type_fails_naming_the_option():
    with pytest.raises(EksError, match=r"hostname_type: 'dns' is not one of resource-name, ip-name"):
        desired("dns")


def test_new_subnets_get_the_hostname_type_after_they_are_made():
    d = desired("resource-name")
    changes = vpc.plan(vpc.empty_model(), d)
    sequence = actions(changes)
    for key in SUBNETS:
        made = sequence.index(("create_subnet", key))
        assert ("subnet_hostname_type", key) in sequence[made + 1:]
    record = next(c for c in changes if c["action"] == "subnet_hostname_type")
    assert record["call"] == "modify_subnet_attribute"
    assert record["resource"] == f"myeks-public-{A}"
    assert record["params"]["value"] == "resource-name"
    assert len([a for a, _k in sequence if a == "subnet_hostname_type"]) == 4
    # ip-name is what a new subnet has: nothing to set.
    assert "subnet_hostname_type" not in [a for a, _k in actions(vpc.plan(vpc.empty_model(), desired("ip-name")))]


def test_existing_subnets_change_in_place_and_converge():
    d = desired("resource-name")
    current = converged("ip-name")
    assert vpc.plan(current, desired("ip-name")) == []
    changes = vpc.plan(current, d)
    assert actions(changes) == [("subnet_hostname_type", key) for key in SUBNETS]
    assert "(was ip-name)" in changes[0]["why"]
    after = vpc.predict(current, d, changes)
    assert vpc.plan(after, d) == []
    assert vpc.plan(converged("resource-name"), d) == []


def test_unset_hostname_type_changes_nothing_and_shows_nothing():
    d = desired(None)
    current = converged("resource-name")
    assert vpc.plan(current, d) == []
    assert all("private_dns_hostname_type_on_launch" not in s for s in vpc.view(current, d)["subnets"].values())


def test_diff_shows_the_hostname_type_before_and_after():
    d = desired("resource-name")
    current = converged("ip-name")
    before = vpc.view(current, d)["subnets"][f"myeks-private-{C}"]
    after = vpc.view(vpc.predict(current, d, vpc.plan(current, d)), d)["subnets"][f"myeks-private-{C}"]
    assert (before["private_dns_hostname_type_on_launch"], after["private_dns_hostname_type_on_launch"]) == (
        "ip-name", "resource-name",
    )  # fmt: skip
