# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure part of eks_vpc: desired state, reading EC2's answers into a model, planning, predicting, the diff."""

from __future__ import annotations

import botocore.exceptions
import pytest

from ansible_collections.aews.eks.plugins.module_utils._eks import vpc
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
    "tags": {"team": "platform"},
}
OWNER = {"aews.eks/cluster-name": "myeks"}


def desired(**changes):
    return vpc.build_desired(dict(PARAMS, **changes))


def tagged(name, extra=None):
    tags = dict({"Name": name, "team": "platform"}, **OWNER)
    tags.update(extra or {})
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def converged_answers(d, nat_zones=(A,)):
    """What EC2 answers for the VPC of ``d`` fully converged."""
    subnets, tables, nats, addresses = [], [], [], []
    for i, (kind, zone) in enumerate([(k, z) for k in ("public", "private") for z in (A, C)]):
        role = "kubernetes.io/role/elb" if kind == "public" else "kubernetes.io/role/internal-elb"
        subnets.append({
            "SubnetId": f"subnet-{i}", "VpcId": "vpc-1", "CidrBlock": d["subnets"][kind][zone], "AvailabilityZone": zone,
            "MapPublicIpOnLaunch": kind == "public", "Tags": tagged(f"myeks-{kind}-{zone}", {role: "1"}),
        })  # fmt: skip
    for zone in nat_zones:
        subnet = next(s["SubnetId"] for s in subnets if s["Tags"][0]["Value"] == f"myeks-public-{zone}")
        nats.append({"NatGatewayId": f"nat-{zone}", "VpcId": "vpc-1", "SubnetId": subnet, "State": "available",
                     "NatGatewayAddresses": [{"AllocationId": f"eipalloc-{zone}"}]})  # fmt: skip
        addresses.append({"AllocationId": f"eipalloc-{zone}", "AssociationId": f"eipassoc-{zone}",
                          "Tags": tagged(f"myeks-nat-{zone}")})  # fmt: skip
    local = {"DestinationCidrBlock": "192.168.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable"}
    tables.append({
        "RouteTableId": "rtb-public", "VpcId": "vpc-1", "Tags": tagged("myeks-public"),
        "Routes": [local, {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1"}],
        "Associations": [{"SubnetId": "subnet-0", "RouteTableAssociationId": "a-0"},
                         {"SubnetId": "subnet-1", "RouteTableAssociationId": "a-1"}],
    })  # fmt: skip
    for i, zone in enumerate((A, C)):
        nat = f"nat-{zone if d['nat'] == 'highly_available' else A}"
        routes = [local] + ([] if d["nat"] == "disabled" else [{"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": nat}])
        tables.append({
            "RouteTableId": f"rtb-private-{i}", "VpcId": "vpc-1", "Tags": tagged(f"myeks-private-{zone}"),
            "Routes": routes, "Associations": [{"SubnetId": f"subnet-{i + 2}", "RouteTableAssociationId": f"a-{i + 2}"}],
        })  # fmt: skip
    tables.append({"RouteTableId": "rtb-main", "VpcId": "vpc-1", "Routes": [local],
                   "Associations": [{"Main": True, "RouteTableAssociationId": "a-main"}]})  # fmt: skip
    return {
        "vpc": {"VpcId": "vpc-1", "CidrBlock": d["cidr"], "Tags": tagged("myeks-vpc")},
        "dns": {"enableDnsSupport": True, "enableDnsHostnames": True},
        "subnets": subnets,
        "igws": [{"InternetGatewayId": "igw-1", "Attachments": [{"VpcId": "vpc-1", "State": "available"}],
                  "Tags": tagged("myeks-igw")}],
        "tables": tables,
        "addresses": addresses,
        "nats": nats,
    }  # fmt: skip


def model(d, answers):
    a = answers
    return vpc.model_from(d, a["vpc"], a["dns"], a["subnets"], a["igws"], a["tables"], a["addresses"], a["nats"])


def actions(changes):
    return [(c["action"], c["key"]) for c in changes]


# ---------------------------------------------------------------- build
@pytest.mark.parametrize(
    "changes, message",
    [
        ({"cidr": "192.168.0.0/33"}, "cidr: '192.168.0.0/33' is not an IPv4 CIDR block"),
        ({"subnets": {"public": {A: "10.0.0.0/24"}, "private": {A: "192.168.64.0/19"}}},
         "subnets.public.ap-northeast-2a: 10.0.0.0/24 is not inside the VPC CIDR 192.168.0.0/16"),
        ({"subnets": {"public": {A: "192.168.0.0/19"}, "private": {A: "192.168.0.0/20"}}},
         "subnets.private.ap-northeast-2a: 192.168.0.0/20 overlaps subnets.public.ap-northeast-2a"),
        ({"subnets": {"public": {A: "192.168.0.0/19"}, "private": {C: "192.168.64.0/19"}}},
         "subnets.private: give a private subnet CIDR for each zone of subnets.public"),
        ({"nat": "double"}, "nat: 'double' is not one of"),
    ],
)  # fmt: skip
def test_bad_input_fails_naming_the_option(changes, message):
    with pytest.raises(EksError, match=message.replace(".", r"\.").replace("(", r"\(")):
        desired(**changes)


def test_desired_state_carries_the_ownership_tag_and_nat_zones():
    d = desired(nat="highly_available")
    assert d["tags"] == {"team": "platform", "aews.eks/cluster-name": "myeks"}
    assert d["nat_zones"] == [A, C]
    assert desired()["nat_zones"] == [A] and desired(nat="disabled")["nat_zones"] == []
    assert vpc.nat_zone_for(desired(), C) == A and vpc.nat_zone_for(desired(nat="highly_available"), C) == C


# ---------------------------------------------------------------- plan
def test_empty_account_plans_everything_in_dependency_order():
    d = desired()
    changes = vpc.plan(vpc.empty_model(), d)
    assert actions(changes) == [
        ("create_vpc", "vpc"),
        ("vpc_attribute", "vpc"),  # DNS hostnames: off in a new VPC
        ("create_subnet", f"subnet:public:{A}"), ("subnet_map_public", f"subnet:public:{A}"),
        ("create_subnet", f"subnet:public:{C}"), ("subnet_map_public", f"subnet:public:{C}"),
        ("create_subnet", f"subnet:private:{A}"), ("create_subnet", f"subnet:private:{C}"),
        ("create_igw", "igw"), ("attach_igw", "igw"),
        ("allocate_address", f"eip:{A}"), ("create_nat", f"nat:{A}"),
        ("create_route_table", "rt:public"), ("create_route", "rt:public"),
        ("associate", "rt:public"), ("associate", "rt:public"),
        ("create_route_table", f"rt:private:{A}"), ("create_route", f"rt:private:{A}"), ("associate", f"rt:private:{A}"),
        ("create_route_table", f"rt:private:{C}"), ("create_route", f"rt:private:{C}"), ("associate", f"rt:private:{C}"),
    ]  # fmt: skip
    private_c = next(c for c in changes if c["action"] == "create_route" and c["key"] == f"rt:private:{C}")
    assert private_c["target"] == f"nat:{A}"
    subnet = next(c for c in changes if c["key"] == f"subnet:private:{C}")
    assert subnet["tags"] == {"team": "platform", "aews.eks/cluster-name": "myeks", "Name": f"myeks-private-{C}",
                              "kubernetes.io/role/internal-elb": "1"}  # fmt: skip


def test_converged_vpc_plans_nothing():
    for nat, zones in (("single", (A,)), ("highly_available", (A, C)), ("disabled", ())):
        d = desired(nat=nat)
        assert vpc.plan(model(d, converged_answers(d, zones)), d) == [], nat


def test_drift_is_planned_as_the_smallest_changes():
    d = desired()
    answers = converged_answers(d)
    answers["vpc"]["Tags"] = tagged("myeks-vpc", {"team": "drifted", "extra": "x"})
    answers["subnets"][0]["Tags"] = [t for t in answers["subnets"][0]["Tags"] if t["Key"] != "kubernetes.io/role/elb"]
    answers["subnets"][1]["MapPublicIpOnLaunch"] = False
    answers["tables"][1]["Routes"][1] = {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1"}
    answers["dns"]["enableDnsHostnames"] = False
    changes = vpc.plan(model(d, answers), d)
    assert [(c["action"], c["key"], c.get("set"), c.get("remove")) for c in changes] == [
        ("tag", "vpc", {"team": "platform"}, ["extra"]),
        ("vpc_attribute", "vpc", None, None),
        ("tag", f"subnet:public:{A}", {"kubernetes.io/role/elb": "1"}, []),
        ("subnet_map_public", f"subnet:public:{C}", None, None),
        ("replace_route", f"rt:private:{A}", None, None),
    ]
    assert changes[-1]["why"] == f"route 0.0.0.0/0 of myeks-private-{A} to myeks-nat-{A} (was igw-1)"
    assert (changes[-1]["resource"], changes[-1]["call"]) == (f"myeks-private-{A}", "replace_route")


def test_tags_are_kept_without_purge_and_aws_tags_always():
    d = desired(purge_tags=False)
    answers = converged_answers(d)
    answers["vpc"]["Tags"] = tagged("myeks-vpc", {"extra": "x", "aws:cloudformation:stack-name": "s"})
    assert vpc.plan(model(d, answers), d) == []
    d = desired()
    changes = vpc.plan(model(d, answers), d)
    assert [(c["action"], c["remove"]) for c in changes] == [("tag", ["extra"])]


def test_an_interrupted_run_resumes_without_a_second_address_or_gateway():
    d = desired()
    answers = converged_answers(d)
    # Killed after the address and the NAT gateway (pending), before the private route tables.
    answers["nats"][0]["State"] = "pending"
    answers["tables"] = answers["tables"][:1]
    changes = vpc.plan(model(d, answers), d)
    assert not [c for c in changes if c["action"] in ("allocate_address", "create_nat", "create_subnet", "create_vpc")]
    assert actions(changes)[0] == ("create_route_table", f"rt:private:{A}")
    # An address allocated, the gateway not yet made: the address is used.
    answers = converged_answers(d)
    answers["nats"] = []
    answers["addresses"][0]["AssociationId"] = None
    changes = vpc.plan(model(d, answers), d)
    assert actions(changes) == [("create_nat", f"nat:{A}"), ("replace_route", f"rt:private:{A}"),
                                ("replace_route", f"rt:private:{C}")]  # fmt: skip


def test_a_failed_nat_gateway_is_replaced_with_another_client_token():
    d = desired()
    answers = converged_answers(d)
    answers["nats"][0]["State"] = "failed"
    changes = vpc.plan(model(d, answers), d)
    create = next(c for c in changes if c["action"] == "create_nat")
    assert create["retired"] == [f"nat-{A}"]
    token = vpc.client_token("subnet-0", f"eipalloc-{A}")
    assert token == vpc.client_token("subnet-0", f"eipalloc-{A}")
    assert vpc.client_token("subnet-0", f"eipalloc-{A}", create["retired"]) != token


def test_nat_disabled_removes_the_nat_route_only():
    d = desired(nat="disabled")
    answers = converged_answers(desired())
    changes = vpc.plan(model(d, answers), d)
    assert actions(changes) == [("delete_route", f"rt:private:{A}"), ("delete_route", f"rt:private:{C}")]


def test_a_subnet_associated_elsewhere_is_moved_to_its_table():
    d = desired()
    answers = converged_answers(d)
    answers["tables"][1]["Associations"] = []
    answers["tables"][-1]["Associations"].append({"SubnetId": "subnet-2", "RouteTableAssociationId": "a-other"})
    changes = vpc.plan(model(d, answers), d)
    assert [(c["action"], c["replace"]) for c in changes] == [("associate", "a-other")]


def test_a_subnet_with_another_cidr_fails_before_any_change_naming_it():
    d = desired(subnets={"public": {A: "192.168.0.0/20", C: "192.168.32.0/19"}, "private": PARAMS["subnets"]["private"]})
    answers = converged_answers(desired())
    with pytest.raises(EksError) as error:
        vpc.plan(model(d, answers), d)
    assert str(error.value).startswith(
        f"The VPC cannot change in place: subnets.public.{A}: subnet subnet-0 (myeks-public-{A}) has CIDR"
        " 192.168.0.0/19, the definition asks 192.168.0.0/20"
    )


def test_a_subnet_of_the_desired_cidr_without_its_name_is_adopted():
    d = desired()
    answers = converged_answers(d)
    answers["subnets"][3]["Tags"] = []
    model_ = model(d, answers)
    assert model_["subnets"][f"subnet:private:{C}"]["id"] == "subnet-3"
    assert [c["action"] for c in vpc.plan(model_, d)] == ["tag"]


# ---------------------------------------------------------------- predict and the diff
def test_check_mode_predicts_what_a_converged_read_shows():
    d = desired()
    changes = vpc.plan(vpc.empty_model(), d)
    predicted = vpc.view(vpc.predict(vpc.empty_model(), d, changes), d)
    real = vpc.view(model(d, converged_answers(d)), d)
    assert predicted["vpc"] == real["vpc"] and predicted["subnets"] == real["subnets"]
    assert predicted["route_tables"][f"myeks-private-{C}"] == {
        "routes": {"0.0.0.0/0": f"myeks-nat-{A} (to be created)"}, "subnets": [f"myeks-private-{C}"],
    }  # fmt: skip
    assert real["route_tables"][f"myeks-private-{C}"]["routes"] == {"0.0.0.0/0": f"nat-{A}"}
    assert real["nat_gateways"] == {A: {"subnet": f"myeks-public-{A}", "elastic_ip": f"myeks-nat-{A}"}}
    # The ids a run gave replace the placeholders.
    ids = {"vpc": "vpc-9", f"nat:{A}": "nat-9"}
    after = vpc.view(vpc.predict(vpc.empty_model(), d, changes, ids), d)
    assert after["route_tables"][f"myeks-private-{C}"]["routes"] == {"0.0.0.0/0": "nat-9"}


def test_diff_shows_what_the_user_controls_in_a_stable_order():
    d = desired()
    shown = vpc.view(model(d, converged_answers(d)), d)
    assert list(shown) == ["vpc", "subnets", "route_tables", "nat_gateways", "internet_gateway"]
    assert list(shown["subnets"]) == [f"myeks-public-{A}", f"myeks-public-{C}", f"myeks-private-{A}",
                                      f"myeks-private-{C}"]  # fmt: skip
    assert shown["route_tables"]["myeks-public"] == {
        "routes": {"0.0.0.0/0": "igw-1"}, "subnets": [f"myeks-public-{A}", f"myeks-public-{C}"],
    }  # fmt: skip
    assert "id" not in shown["vpc"] and "192.168.0.0/16" not in str(shown["route_tables"])  # no local route
    assert vpc.view(vpc.empty_model(), d) == {}


# ---------------------------------------------------------------- an adopted VPC
def test_adopted_subnets_are_checked_against_the_cidrs_given():
    found = [{"SubnetId": "subnet-a", "AvailabilityZone": A, "CidrBlock": "10.0.0.0/24"},
             {"SubnetId": "subnet-c", "AvailabilityZone": A, "CidrBlock": "10.0.1.0/24"}]  # fmt: skip
    ids = {"public": {A: "subnet-a", C: "subnet-c"}, "private": {A: "subnet-x"}}
    assert vpc.adoption_problems(ids, {"public": {A: "10.0.0.0/24"}}, found) == [
        f"subnet_ids.public.{C}: subnet subnet-c is in {A}, not {C}",
        f"subnet_ids.private.{A}: no subnet subnet-x",
    ]
    assert vpc.adoption_problems(ids, {"public": {A: "10.0.9.0/24"}}, found)[0] == (
        f"subnet_cidrs.public.{A}: subnet subnet-a has CIDR 10.0.0.0/24, the definition gives 10.0.9.0/24"
    )


def test_the_normalized_definition_keeps_the_cidrs_given_with_subnet_ids():
    from ansible_collections.aews.eks.plugins.module_utils._eks.definition import normalize

    ids = {"public": {A: "subnet-0000000000000000a", C: "subnet-0000000000000000b"},
           "private": {A: "subnet-0000000000000000c", C: "subnet-0000000000000000d"}}  # fmt: skip
    definition = {
        "name": "c1", "region": "ap-northeast-2",
        "vpc": {"id": "vpc-0123456789abcdef0", "availability_zones": [A, C], "subnet_ids": ids},
        "source": {"kind": "eksctl", "paths": {}, "subnet_cidrs": {"public": {A: "10.0.0.0/24"}}},
    }  # fmt: skip
    normalized = normalize(definition, check_files=False)
    assert normalized["source"]["subnet_cidrs"] == {"public": {A: "10.0.0.0/24"}}
    # What the vpc role passes to eks_vpc finds a subnet of another CIDR.
    found = [{"SubnetId": "subnet-0000000000000000a", "AvailabilityZone": A, "CidrBlock": "10.0.5.0/24"}]
    problems = vpc.adoption_problems(normalized["vpc"]["subnet_ids"], normalized["source"]["subnet_cidrs"], found)
    assert problems[0] == (
        f"subnet_cidrs.public.{A}: subnet subnet-0000000000000000a has CIDR 10.0.5.0/24, the definition gives 10.0.0.0/24"
    )
    del definition["source"]
    assert normalize(definition, check_files=False)["source"]["subnet_cidrs"] == {}


# ---------------------------------------------------------------- a quota error counts what is in use
class QuotaEc2:
    """An EC2 client that answers the reads a quota error makes, and records each request."""

    def __init__(self, fail=None):
        self.calls = []
        self.fail = fail
        self.answers = {
            "describe_addresses": {"Addresses": [{"AllocationId": "eipalloc-1"}, {"AllocationId": "eipalloc-2"}]},
            "describe_vpcs": [{"Vpcs": [{"VpcId": "vpc-1"}, {"VpcId": "vpc-2"}]}, {"Vpcs": [{"VpcId": "vpc-3"}]}],
            "describe_internet_gateways": [{"InternetGateways": [{"InternetGatewayId": "igw-1"}]}],
            "describe_nat_gateways": [{"NatGateways": [{"NatGatewayId": "nat-1"}, {"NatGatewayId": "nat-2"}]}],
        }

    def _answer(self, operation, params):
        self.calls.append((operation, params))
        if operation == self.fail:
            raise botocore.exceptions.ClientError(
                {"Error": {"Code": "UnauthorizedOperation", "Message": "not allowed"}}, operation
            )
        return self.answers[operation]

    def describe_addresses(self, **params):
        return self._answer("describe_addresses", params)

    def get_paginator(self, operation):
        client = self

        class Paginator:
            def paginate(self, **params):
                return client._answer(operation, params)

        return Paginator()


@pytest.mark.parametrize(
    "code, count, sent",
    [
        ("AddressLimitExceeded", 2, ("describe_addresses", {"Filters": [{"Name": "domain", "Values": ["vpc"]}]})),
        ("VpcLimitExceeded", 3, ("describe_vpcs", {})),
        ("InternetGatewayLimitExceeded", 1, ("describe_internet_gateways", {})),
        ("NatGatewayLimitExceeded", 2,
         ("describe_nat_gateways", {"Filter": [{"Name": "state", "Values": ["pending", "available"]}]})),
    ],
)  # fmt: skip
def test_a_quota_error_counts_what_is_in_use_with_one_read(code, count, sent):
    ec2 = QuotaEc2()
    assert vpc.in_use(ec2, code) == count
    assert ec2.calls == [sent]


def test_a_quota_without_a_count_or_whose_read_fails_is_not_counted():
    ec2 = QuotaEc2(fail="describe_addresses")
    assert vpc.in_use(ec2, "AddressLimitExceeded") is None
    assert [c[0] for c in ec2.calls] == ["describe_addresses"]
    ec2 = QuotaEc2()
    assert vpc.in_use(ec2, "SubnetLimitExceeded") is None and ec2.calls == []


def quota_failure(code, message):
    return EksError(
        message="Failed to allocate the elastic IP address",
        exception=botocore.exceptions.ClientError(
            {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"RequestId": "req-9"}},
            "AllocateAddress",
        ),
    )


def test_a_quota_error_of_the_apply_says_how_many_are_in_use_in_the_region_and_what_to_do():
    def allocate():
        raise quota_failure("AddressLimitExceeded", "The maximum number of addresses has been reached.")

    with pytest.raises(EksError) as e:
        vpc.apply_counting_quotas(QuotaEc2(), "ap-northeast-2", allocate)
    message = str(e.value)
    assert message.startswith(
        "Failed to allocate the elastic IP address: AddressLimitExceeded: The maximum number of addresses has been"
        " reached. AWS quota 'EC2-VPC Elastic IPs' reached (AddressLimitExceeded): 2 elastic IP addresses in use in"
        " ap-northeast-2. Either release elastic IP addresses nothing uses (aws ec2 describe-addresses, aws ec2"
        " release-address), or raise the quota in Service Quotas (console, or: aws service-quotas"
        " request-service-quota-increase --service-code ec2 --quota-code L-0263D0A3 --desired-value N --region"
        " ap-northeast-2)"
    ), message
    # The advice once: the one EksError gives without a count is replaced, not repeated.
    assert message.count("AWS quota") == 1
    assert e.value.code == "AddressLimitExceeded" and e.value.request_id == "req-9"
    assert e.value.kwargs["error"] == {
        "code": "AddressLimitExceeded", "message": "The maximum number of addresses has been reached."
    }  # fmt: skip


def test_a_quota_error_whose_count_fails_says_the_quota_is_used_up_and_other_errors_pass_as_they_are():
    def allocate():
        raise quota_failure("AddressLimitExceeded", "The maximum number of addresses has been reached.")

    with pytest.raises(EksError) as e:
        vpc.apply_counting_quotas(QuotaEc2(fail="describe_addresses"), "ap-northeast-2", allocate)
    assert "(AddressLimitExceeded): the quota is used up in ap-northeast-2. Either release" in str(e.value)

    other = quota_failure("InvalidParameterValue", "bad")

    def refuse():
        raise other

    ec2 = QuotaEc2()
    with pytest.raises(EksError) as e:
        vpc.apply_counting_quotas(ec2, "ap-northeast-2", refuse)
    assert e.value is other and ec2.calls == []
    assert vpc.apply_counting_quotas(ec2, "ap-northeast-2", lambda x: x + 1, 1) == 2
