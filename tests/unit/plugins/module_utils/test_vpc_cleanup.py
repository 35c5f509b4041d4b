# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the teardown's selection (what belongs to the cluster) and order (NAT gateway before its address)."""

from __future__ import annotations

import pytest

from ansible_collections.aews.eks.plugins.module_utils._eks import iam_cleanup
from ansible_collections.aews.eks.plugins.module_utils._eks import vpc_cleanup
from ansible_collections.aews.eks.plugins.module_utils._eks.change import public
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError

VPC = "vpc-1"
OWN = [{"Key": "aews.eks/cluster-name", "Value": "myeks"}]
OTHER = [{"Key": "aews.eks/cluster-name", "Value": "other"}]


def tagged(tags, name):
    return tags + [{"Key": "Name", "Value": name}]


def group(group_id, tags, name, ingress=(), egress=()):
    return {
        "GroupId": group_id,
        "GroupName": name,
        "VpcId": VPC,
        "Tags": tags,
        "IpPermissions": list(ingress),
        "IpPermissionsEgress": list(egress),
    }


def from_groups(*group_ids):
    return {
        "IpProtocol": "tcp",
        "FromPort": 443,
        "ToPort": 443,
        "UserIdGroupPairs": [{"GroupId": g} for g in group_ids],
    }


def inventory():
    lb_sg = group("sg-lb", [{"Key": "kubernetes.io/cluster/myeks", "Value": "owned"}], "k8s-elb-a1")
    alb_sg = group("sg-alb", [{"Key": "elbv2.k8s.aws/cluster", "Value": "myeks"}], "k8s-traffic-myeks")
    nodes = group(
        "sg-nodes", tagged(OWN, "myeks-shared-nodes"), "myeks-shared-nodes", ingress=[from_groups("sg-lb", "sg-nodes")]
    )
    cluster_sg = group(
        "sg-eks",
        # As EKS tags it: the Kubernetes ownership tag too, but EKS deletes it with the cluster.
        [{"Key": "aws:eks:cluster-name", "Value": "myeks"}, {"Key": "kubernetes.io/cluster/myeks", "Value": "owned"}],
        "eks-cluster-sg-myeks-1",
        ingress=[from_groups("sg-alb")],
    )
    shared = group("sg-shared", [{"Key": "kubernetes.io/cluster/myeks", "Value": "shared"}], "shared")
    users = group("sg-user", [], "myeks-shared-nodes", ingress=[from_groups("sg-nodes")])
    return {
        "vpcs": [
            {
                "vpc": {"VpcId": VPC, "Tags": tagged(OWN, "myeks-vpc")},
                "owned": True,
                "security_groups": [lb_sg, alb_sg, nodes, cluster_sg, shared, users, group("sg-def", OWN, "default")],
                "network_interfaces": [
                    {"NetworkInterfaceId": "eni-cni", "VpcId": VPC, "Status": "available",
                     "TagSet": [{"Key": "cluster.k8s.amazonaws.com/name", "Value": "myeks"}]},
                    {"NetworkInterfaceId": "eni-used", "VpcId": VPC, "Status": "in-use",
                     "TagSet": [{"Key": "cluster.k8s.amazonaws.com/name", "Value": "myeks"}]},
                    {"NetworkInterfaceId": "eni-other", "VpcId": VPC, "Status": "available",
                     "TagSet": [{"Key": "cluster.k8s.amazonaws.com/name", "Value": "other"}]},
                ],
                "nat_gateways": [
                    {"NatGatewayId": "nat-own", "VpcId": VPC, "State": "available", "Tags": OWN,
                     "NatGatewayAddresses": [{"AllocationId": "eipalloc-own"}]},
                    {"NatGatewayId": "nat-gone", "VpcId": VPC, "State": "deleted", "Tags": OWN},
                    # What a filter that is not applied returns: another cluster's NAT gateway, in another VPC.
                    {"NatGatewayId": "nat-other", "VpcId": "vpc-2", "State": "available", "Tags": OTHER},
                    {"NatGatewayId": "nat-untagged", "VpcId": VPC, "State": "available", "Tags": []},
                ],
                "internet_gateways": [
                    {"InternetGatewayId": "igw-own", "Tags": OWN, "Attachments": [{"VpcId": VPC}]},
                ],
                "route_tables": [
                    {"RouteTableId": "rtb-main", "VpcId": VPC, "Tags": OWN, "Associations": [{"Main": True}]},
                    {"RouteTableId": "rtb-own", "VpcId": VPC, "Tags": OWN, "Associations": []},
                    {"RouteTableId": "rtb-user", "VpcId": VPC, "Tags": [], "Associations": []},
                ],
                "subnets": [
                    {"SubnetId": "subnet-own", "VpcId": VPC, "Tags": tagged(OWN, "myeks-public-a")},
                    {"SubnetId": "subnet-user", "VpcId": VPC, "Tags": [{"Key": "Name", "Value": "myeks-public-a"}]},
                ],
            }
        ],
        "load_balancers": [
            {"kind": "v2", "id": "arn:lb/k8s", "name": "k8s", "vpc_id": VPC, "tags": {"elbv2.k8s.aws/cluster": "myeks"}},
            {"kind": "classic", "id": "a1", "name": "a1", "vpc_id": VPC, "tags": {"kubernetes.io/cluster/myeks": "owned"}},
            {"kind": "v2", "id": "arn:lb/other", "name": "o", "vpc_id": VPC, "tags": {"elbv2.k8s.aws/cluster": "other"}},
            {"kind": "v2", "id": "arn:lb/user", "name": "u", "vpc_id": VPC, "tags": {}},
            {"kind": "v2", "id": "arn:lb/elsewhere", "name": "e", "vpc_id": "vpc-2",
             "tags": {"elbv2.k8s.aws/cluster": "myeks"}},
        ],
        "addresses": [
            {"AllocationId": "eipalloc-own", "Tags": OWN, "AssociationId": "eipassoc-1"},
            {"AllocationId": "eipalloc-other", "Tags": OTHER},
            {"AllocationId": "eipalloc-user", "Tags": []},
        ],
        "internet_gateways": [
            {"InternetGatewayId": "igw-own", "Tags": OWN, "Attachments": [{"VpcId": VPC}]},
            {"InternetGatewayId": "igw-detached", "Tags": OWN, "Attachments": []},
            {"InternetGatewayId": "igw-other", "Tags": OTHER, "Attachments": []},
        ],
    }  # fmt: skip


def ids(plan, key, field):
    return [r[field] for r in plan[key]]


def test_selects_only_what_carries_the_clusters_tags():
    plan = vpc_cleanup.select("myeks", inventory())
    assert [lb["id"] for lb in plan["load_balancers"]] == ["arn:lb/k8s", "a1"]
    assert ids(plan, "kubernetes_security_groups", "GroupId") == ["sg-lb", "sg-alb"]
    assert ids(plan, "security_groups", "GroupId") == ["sg-nodes"]
    assert ids(plan, "network_interfaces", "NetworkInterfaceId") == ["eni-cni"]
    assert ids(plan, "nat_gateways", "NatGatewayId") == ["nat-own"]
    assert ids(plan, "addresses", "AllocationId") == ["eipalloc-own"]
    assert plan["addresses"][0]["nat_gateway_id"] == "nat-own"
    assert ids(plan, "internet_gateways", "InternetGatewayId") == ["igw-own", "igw-detached"]
    assert ids(plan, "route_tables", "RouteTableId") == ["rtb-own"]
    assert ids(plan, "subnets", "SubnetId") == ["subnet-own"]
    assert ids(plan, "vpcs", "VpcId") == [VPC]


def test_rules_naming_groups_that_go_are_revoked_in_the_clusters_groups_only():
    plan = vpc_cleanup.select("myeks", inventory())
    revoked = {r["group"]["GroupId"]: (r["ingress"], r["egress"]) for r in plan["rules"]}
    # The nodes' group: the load balancer's group is named, its own self rule is not (it goes with the group).
    assert revoked["sg-nodes"] == ([{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                                     "UserIdGroupPairs": [{"GroupId": "sg-lb"}]}], [])  # fmt: skip
    # The cluster security group EKS made for this cluster.
    assert revoked["sg-eks"][0][0]["UserIdGroupPairs"] == [{"GroupId": "sg-alb"}]
    # A user's group of the same name without the tag is not touched (it is reported when it blocks).
    assert set(revoked) == {"sg-nodes", "sg-eks"}


def test_before_the_cluster_goes_only_what_kubernetes_left_is_selected():
    plan = vpc_cleanup.select("myeks", inventory(), kubernetes_only=True)
    assert [lb["id"] for lb in plan["load_balancers"]] == ["arn:lb/k8s", "a1"]
    assert ids(plan, "kubernetes_security_groups", "GroupId") == ["sg-lb", "sg-alb"]
    assert ids(plan, "network_interfaces", "NetworkInterfaceId") == ["eni-cni"]
    assert {r["group"]["GroupId"] for r in plan["rules"]} == {"sg-nodes", "sg-eks"}
    for key in ("nat_gateways", "addresses", "internet_gateways", "route_tables", "subnets", "security_groups", "vpcs"):
        assert plan[key] == [], key


@pytest.mark.parametrize("kubernetes_only", [True, False])
def test_before_the_cluster_goes_only_what_that_selection_uses_is_read(monkeypatch, kubernetes_only):
    read = []

    def reader(name, value):
        def call(*args, **kwargs):
            read.append(name)
            return value

        return call

    vpc = {"VpcId": VPC, "Tags": tagged(OWN, "myeks-vpc")}
    for name in ("describe_security_groups_filtered", "describe_network_interfaces", "describe_vpc_endpoints",
                 "describe_nat_gateways", "describe_internet_gateways", "describe_route_tables",
                 "describe_subnets_filtered", "describe_load_balancers_v2", "describe_load_balancers_classic",
                 "describe_addresses"):  # fmt: skip
        monkeypatch.setattr(vpc_cleanup.api, name, reader(name, []))
    monkeypatch.setattr(vpc_cleanup.api, "describe_vpcs", reader("describe_vpcs", [vpc]))
    found = vpc_cleanup.inventory(None, None, None, "myeks", kubernetes_only=kubernetes_only)
    before = {"describe_vpcs", "describe_security_groups_filtered", "describe_network_interfaces",
              "describe_load_balancers_v2", "describe_load_balancers_classic"}  # fmt: skip
    if kubernetes_only:
        assert set(read) == before and len(read) == len(before)
        assert set(found) == {"vpcs", "load_balancers"}
        assert vpc_cleanup.select("myeks", found, kubernetes_only=True)["vpcs"] == []
    else:
        rest = {"describe_vpc_endpoints", "describe_nat_gateways", "describe_internet_gateways",
                "describe_route_tables", "describe_subnets_filtered", "describe_addresses"}  # fmt: skip
        assert set(read) == before | rest
        assert read.count("describe_internet_gateways") == 2  # the attached one, then detached ones by tag
        assert [v["VpcId"] for v in vpc_cleanup.select("myeks", found)["vpcs"]] == [VPC]


def templates_and_keys():
    """The nodegroups' launch templates and key pairs as the teardown reads them (templates named CLUSTER-*)."""
    version_tags = {"LaunchTemplateData": {"TagSpecifications": [{"ResourceType": "instance", "Tags": OWN}]}}
    return {
        "launch_templates": [
            # The nodegroup role tags the instances a version launches, not the template.
            {"LaunchTemplateId": "lt-own", "LaunchTemplateName": "myeks-ng", "versions": [version_tags]},
            {"LaunchTemplateId": "lt-tagged", "LaunchTemplateName": "myeks-tagged", "Tags": OWN},
            {"LaunchTemplateId": "lt-user", "LaunchTemplateName": "myeks-user", "versions": [{"LaunchTemplateData": {}}]},
            {"LaunchTemplateId": "lt-other", "LaunchTemplateName": "myeks-o", "Tags": OTHER, "versions": []},
            # Tagged for the cluster but not named after it: not a nodegroup's.
            {"LaunchTemplateId": "lt-named", "LaunchTemplateName": "web", "Tags": OWN},
        ],
        "key_pairs": [{"KeyName": "myeks-ng", "Tags": OWN}, {"KeyName": "myeks-user", "Tags": []}],
    }  # fmt: skip


def test_nodegroup_leftovers_only_those_named_after_and_tagged_for_the_cluster():
    plan = vpc_cleanup.select("myeks", dict(inventory(), **templates_and_keys()))
    assert ids(plan, "launch_templates", "LaunchTemplateId") == ["lt-own", "lt-tagged"]
    assert ids(plan, "key_pairs", "KeyName") == ["myeks-ng"]
    assert vpc_cleanup.select("other", dict(inventory(), **templates_and_keys()))["launch_templates"] == []
    # Before the cluster goes, never.
    plan = vpc_cleanup.select("myeks", dict(inventory(), **templates_and_keys()), kubernetes_only=True)
    assert plan["launch_templates"] == [] and plan["key_pairs"] == []
    lines = [(r["item"]["type"], r["item"]["id"]) for r in vpc_cleanup.changes("myeks", plan)]
    assert ("launch_template", "lt-own") not in lines


def test_nodegroup_leftovers_are_read_only_when_asked_and_versions_only_of_untagged_templates(monkeypatch):
    read = []

    def reader(name, value):
        def call(*args, **kwargs):
            read.append((name, args[1:]))
            return value

        return call

    for name in ("describe_vpcs", "describe_addresses", "describe_internet_gateways"):
        monkeypatch.setattr(vpc_cleanup.api, name, reader(name, []))
    templates = [{"LaunchTemplateId": "lt-own", "LaunchTemplateName": "myeks-ng"},
                 {"LaunchTemplateId": "lt-tagged", "LaunchTemplateName": "myeks-tagged", "Tags": OWN}]  # fmt: skip
    monkeypatch.setattr(vpc_cleanup.api, "describe_launch_templates_filtered", reader("templates", templates))
    monkeypatch.setattr(vpc_cleanup.api, "list_launch_template_versions", reader("versions", []))
    monkeypatch.setattr(vpc_cleanup.api, "describe_key_pairs_filtered", reader("keys", []))
    found = vpc_cleanup.inventory(None, None, None, "myeks")
    assert "launch_templates" not in found and not [r for r in read if r[0] in ("templates", "versions", "keys")]
    read.clear()
    found = vpc_cleanup.inventory(None, None, None, "myeks", nodegroup_leftovers=True)
    assert ("templates", ({"launch-template-name": "myeks-*"},)) in read
    assert [r for r in read if r[0] == "versions"] == [("versions", ("lt-own",))]
    assert ("keys", ({"tag:aews.eks/cluster-name": "myeks"},)) in read
    assert [t["LaunchTemplateId"] for t in found["launch_templates"]] == ["lt-own", "lt-tagged"]


def test_nodegroup_leftovers_are_deleted_before_the_network(monkeypatch):
    fake = FakeEc2(monkeypatch, polls=1)
    cleaner = vpc_cleanup.Cleaner(None, None, None, dependency_timeout=60, nat_timeout=60, delay=1, sleep=lambda s: 0)
    cleaner.run(vpc_cleanup.select("myeks", dict(inventory(), **templates_and_keys())))
    assert [c for c in fake.calls if c[0] in ("delete_launch_template", "delete_key_pair")] == [
        ("delete_launch_template", "lt-own"), ("delete_launch_template", "lt-tagged"), ("delete_key_pair", "myeks-ng"),
    ]  # fmt: skip
    names = [c[0] for c in fake.calls]
    assert names.index("delete_key_pair") < names.index("delete_nat_gateway")
    assert {"type": "launch_template", "id": "lt-own", "name": "myeks-ng"} in cleaner.deleted
    assert {"type": "key_pair", "id": "myeks-ng", "name": ""} in cleaner.deleted
    assert cleaner.failed == []


def test_an_adopted_vpc_is_kept():
    data = inventory()
    data["vpcs"][0]["owned"] = False
    data["vpcs"][0]["vpc"]["Tags"] = []
    plan = vpc_cleanup.select("myeks", data)
    assert plan["vpcs"] == []
    assert ids(plan, "security_groups", "GroupId") == ["sg-nodes"]


def test_another_cluster_selects_nothing_of_myeks():
    plan = vpc_cleanup.select("other", inventory())
    assert plan["nat_gateways"] == [] and plan["subnets"] == [] and plan["vpcs"] == []
    assert [lb["id"] for lb in plan["load_balancers"]] == ["arn:lb/other"]
    assert ids(plan, "addresses", "AllocationId") == ["eipalloc-other"]


class FakeEc2:
    """Records the deletions; NAT gateways take ``polls`` describes to be deleted."""

    def __init__(self, monkeypatch, polls=2, release_in_use=0, subnet_dependency=0):
        self.calls = []
        self.polls = polls
        self.release_in_use = release_in_use
        self.subnet_dependency = subnet_dependency
        for name in dir(vpc_cleanup.api):
            if name.startswith(("delete_", "release_", "detach_", "revoke_", "disassociate_")):
                monkeypatch.setattr(vpc_cleanup.api, name, self._recorder(name))
        monkeypatch.setattr(vpc_cleanup.api, "describe_nat_gateways", self.describe_nat_gateways)

    def _recorder(self, name):
        def call(_client, *args):
            self.calls.append((name, args[0] if args else None))
            if name == "release_address" and self.release_in_use:
                self.release_in_use -= 1
                raise EksError(message="release", exception=_error("InvalidIPAddress.InUse"))
            if name == "delete_subnet" and self.subnet_dependency:
                self.subnet_dependency -= 1
                raise EksError(message="delete the subnet", exception=_error("DependencyViolation"))
            return True

        return call

    def describe_nat_gateways(self, _client, filters=None, nat_gateway_ids=None):
        self.calls.append(("describe_nat_gateways", tuple(nat_gateway_ids)))
        self.polls -= 1
        state = "deleted" if self.polls <= 0 else "deleting"
        return [{"NatGatewayId": i, "State": state} for i in nat_gateway_ids]


def _error(code):
    import botocore.exceptions

    return botocore.exceptions.ClientError({"Error": {"Code": code, "Message": code}}, "Op")


def run(fake, **kwargs):
    options = dict(dependency_timeout=60, nat_timeout=60, delay=1, sleep=lambda s: None)
    options.update(kwargs)
    cleaner = vpc_cleanup.Cleaner(None, None, None, **options)
    return cleaner.run(vpc_cleanup.select("myeks", inventory()))


def test_order_of_the_deletions_and_the_address_after_its_nat_gateway_is_deleted(monkeypatch):
    fake = FakeEc2(monkeypatch, polls=3)
    cleaner = run(fake)
    names = [c[0] for c in fake.calls]
    assert names.index("delete_load_balancer_v2") < names.index("revoke_security_group_rules")
    assert names.index("revoke_security_group_rules") < names.index("delete_security_group")
    assert names.index("delete_network_interface") < names.index("delete_nat_gateway")
    # Three polls until deleted, then the address.
    assert (
        names[names.index("delete_nat_gateway") + 1 : names.index("release_address")] == ["describe_nat_gateways"] * 3
    )
    assert (
        names.index("release_address") < names.index("detach_internet_gateway") < names.index("delete_internet_gateway")
    )
    assert names.index("delete_subnet") < names.index("delete_vpc")
    assert cleaner.failed == []
    assert [d["type"] for d in cleaner.deleted].count("internet_gateway") == 2  # attached and detached one
    assert {"type": "vpc", "id": VPC, "name": "myeks-vpc"} in cleaner.deleted


def test_an_address_still_mapped_is_released_once_its_nat_gateway_is_deleted(monkeypatch):
    fake = FakeEc2(monkeypatch, polls=1, release_in_use=1)
    cleaner = run(fake)
    releases = [c for c in fake.calls if c[0] in ("release_address", "disassociate_address")]
    assert releases == [
        ("release_address", "eipalloc-own"),
        ("disassociate_address", "eipassoc-1"),
        ("release_address", "eipalloc-own"),
    ]
    assert cleaner.failed == []


def test_a_nat_gateway_not_deleted_in_time_keeps_its_address_and_is_reported(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(vpc_cleanup.time, "monotonic", lambda: clock[0])
    fake = FakeEc2(monkeypatch, polls=1000)
    cleaner = run(fake, nat_timeout=30, sleep=lambda s: clock.__setitem__(0, clock[0] + s))
    assert "release_address" not in [c[0] for c in fake.calls]
    failed = {f["id"]: f["reason"] for f in cleaner.failed}
    assert "still deleting after 30s" in failed["nat-own"]
    assert "its NAT gateway nat-own is not deleted yet" in failed["eipalloc-own"]
    message = vpc_cleanup.failure_message("myeks", cleaner.failed)
    assert message.startswith("These resources of cluster myeks could not be deleted: nat_gateway nat-own")


def test_dependency_violation_is_waited_out_within_the_time(monkeypatch):
    fake = FakeEc2(monkeypatch, polls=1, subnet_dependency=3)
    cleaner = run(fake)
    assert [c[0] for c in fake.calls].count("delete_subnet") == 4
    assert cleaner.failed == []


def test_dependency_violation_past_the_time_is_named(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(vpc_cleanup.time, "monotonic", lambda: clock[0])
    fake = FakeEc2(monkeypatch, polls=1, subnet_dependency=1000)
    cleaner = run(fake, dependency_timeout=5, sleep=lambda s: clock.__setitem__(0, clock[0] + s))
    assert [c[0] for c in fake.calls].count("delete_subnet") == 6  # at 0..5 s
    assert cleaner.failed[0]["id"] == "subnet-own" and cleaner.failed[0]["name"] == "myeks-public-a"
    assert "DependencyViolation" in cleaner.failed[0]["reason"]


# ---------------------------------------------------------------- IAM roles
ROLE_TRUST_OIDC = {
    "Statement": [{"Principal": {"Federated": "arn:aws:iam::1:oidc-provider/oidc.eks.x/id/AB"}}]
}  # fmt: skip
ROLE_TRUST_EKS = {"Statement": [{"Principal": {"Service": "eks.amazonaws.com"}}]}


@pytest.mark.parametrize("trusting, expected", [(None, ["myeks-cluster-role", "myeks-irsa"]), (True, ["myeks-irsa"]),
                                                (False, ["myeks-cluster-role"])])  # fmt: skip
def test_roles_go_only_with_the_ownership_tag(trusting, expected):
    roles = [
        {"RoleName": "myeks-cluster-role", "AssumeRolePolicyDocument": ROLE_TRUST_EKS},
        {"RoleName": "myeks-irsa", "AssumeRolePolicyDocument": ROLE_TRUST_OIDC},
        {"RoleName": "myeks-lookalike-node-role", "AssumeRolePolicyDocument": ROLE_TRUST_EKS},
        {"RoleName": "myeks2-cluster-role", "AssumeRolePolicyDocument": ROLE_TRUST_EKS},
        {"RoleName": "custom-sa-role", "AssumeRolePolicyDocument": ROLE_TRUST_OIDC},
    ]
    found = iam_cleanup.candidates(roles, "myeks")
    assert [r["RoleName"] for r in found] == ["myeks-cluster-role", "myeks-irsa", "myeks-lookalike-node-role"]
    tags = {"myeks-cluster-role": {"aews.eks/cluster-name": "myeks"}, "myeks-irsa": {"aews.eks/cluster-name": "myeks"},
            "myeks-lookalike-node-role": {"Name": "myeks-lookalike-node-role"}}  # fmt: skip
    chosen, kept = iam_cleanup.select(found, tags, "myeks", trusting)
    assert [r["RoleName"] for r in chosen] == expected
    # The look-alike (no ownership tag) is kept whenever its kind of trust is asked for.
    assert [r["RoleName"] for r in kept] == ([] if trusting else ["myeks-lookalike-node-role"])
    assert [r["RoleName"] for r in iam_cleanup.candidates(roles, "myeks", names=["custom-sa-role"])][
        -1
    ] == "custom-sa-role"


def test_iam_cleanup_plans_a_delete_record_per_chosen_role():
    chosen = [{"RoleName": "myeks-cluster-role"}, {"RoleName": "myeks-irsa"}]
    assert [public(c) for c in iam_cleanup.plan(chosen, "myeks")] == [
        {
            "resource": "IAM role myeks-cluster-role",
            "action": "delete",
            "why": "tagged aews.eks/cluster-name: myeks",
            "call": "delete_role",
            "params": {"RoleName": "myeks-cluster-role"},
        },
        {
            "resource": "IAM role myeks-irsa",
            "action": "delete",
            "why": "tagged aews.eks/cluster-name: myeks",
            "call": "delete_role",
            "params": {"RoleName": "myeks-irsa"},
        },
    ]
    assert iam_cleanup.plan([], "myeks") == []


# ---------------------------------------------------------------- change records of the VPC teardown
def test_change_records_follow_the_deletion_order_and_keep_the_result_lines():
    plan = vpc_cleanup.select("myeks", inventory())
    records = vpc_cleanup.changes("myeks", plan)
    assert [r["item"] for r in records] == vpc_cleanup.planned(plan)
    shown = [(r["action"], r["call"], r["params"]["id"]) for r in records]
    assert shown[:3] == [
        ("delete", "delete_load_balancer", "arn:lb/k8s"),
        ("delete", "delete_load_balancer", "a1"),
        ("revoke", "revoke_security_group_rules", "sg-nodes"),
    ]
    assert records[2]["resource"] == "rule sg-nodes (rules of myeks-shared-nodes naming groups being deleted)"
    assert shown[-1] == ("delete", "delete_vpc", VPC)
    nat = next(r for r in records if r["call"] == "delete_nat_gateway")
    assert public(nat) == {
        "resource": "nat gateway nat-own",
        "action": "delete",
        "why": "tagged for cluster myeks",
        "call": "delete_nat_gateway",
        "params": {"id": "nat-own"},
    }
    eni = next(r for r in records if r["call"] == "delete_network_interface")
    assert eni["why"] == "left available by the VPC CNI of cluster myeks"
    assert vpc_cleanup.changes("other", vpc_cleanup.select("other", {"vpcs": []})) == []


class FakeProviders:
    """The OIDC provider functions iam_cleanup.delete_provider calls: one provider tagged for ``owner``."""

    ARN = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.ap-northeast-2.amazonaws.com/id/ABC"

    def __init__(self, monkeypatch, owner="myeks", trusting=()):
        from ansible_collections.aews.eks.plugins.module_utils._eks import oidc_provider

        self.deleted = []
        monkeypatch.setattr(
            oidc_provider, "_find_provider_by_tag", lambda iam, cluster: self.ARN if cluster == owner else None
        )
        monkeypatch.setattr(oidc_provider, "read_provider", lambda iam, arn: {"arn": arn, "tags": {}})
        monkeypatch.setattr(oidc_provider, "roles_trusting_provider", lambda iam, arn: list(trusting))
        monkeypatch.setattr(oidc_provider, "apply", lambda iam, arn, changes: self.deleted.append(arn))


def test_iam_cleanup_deletes_the_clusters_oidc_provider_found_by_its_tag(monkeypatch):
    fake = FakeProviders(monkeypatch)
    failed = []
    arn, changes = iam_cleanup.delete_provider(None, "myeks", False, failed)
    assert arn == FakeProviders.ARN and fake.deleted == [FakeProviders.ARN] and failed == []
    assert [(c["action"], c["call"]) for c in changes] == [("delete_provider", "delete_open_id_connect_provider")]


def test_iam_cleanup_predicts_the_provider_in_check_mode_and_leaves_another_clusters(monkeypatch):
    fake = FakeProviders(monkeypatch)
    arn, changes = iam_cleanup.delete_provider(None, "myeks", True, [])
    assert arn == FakeProviders.ARN and len(changes) == 1 and fake.deleted == []
    assert iam_cleanup.delete_provider(None, "other", False, []) == (None, [])
    assert fake.deleted == []


def test_iam_cleanup_keeps_a_provider_an_owned_role_still_trusts(monkeypatch):
    fake = FakeProviders(monkeypatch, trusting=["other-addon-role"])
    failed = []
    assert iam_cleanup.delete_provider(None, "myeks", False, failed) == (None, [])
    assert fake.deleted == []
    assert failed == [
        {"name": FakeProviders.ARN, "reason": "still trusted by roles made by this collection: other-addon-role"}
    ]
