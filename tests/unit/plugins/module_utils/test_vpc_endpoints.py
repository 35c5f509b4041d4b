"""The VPC endpoints of a fully private cluster, pure parts: build_desired, plan, predict (dict literals)."""

from __future__ import annotations

import pytest

from ansible_collections.aews.eks.plugins.module_utils._eks import vpc_endpoints as ve
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError

REGION = "ap-northeast-2"
OWNER = "aews.eks/cluster-name"
ZONES = {"subnet-a": "ap-northeast-2a", "subnet-c": "ap-northeast-2c"}


def desired(services=ve.REQUIRED_SERVICES, subnets=("subnet-a", "subnet-c"), vpc_id="vpc-1"):
    return ve.build_desired({"name": "c1", "vpc_id": vpc_id, "subnet_ids": list(subnets), "services": list(services),
                             "tags": {"team": "t"}}, REGION)  # fmt: skip


def offered(services=ve.SERVICES, zones=("ap-northeast-2a", "ap-northeast-2c")):
    out = {}
    for service in services:
        types = ["Gateway", "Interface"] if service == "s3" else ["Interface"]
        out[ve.service_name(REGION, service)] = {"types": types, "zones": list(zones)}
    return out


def empty(vpc=True):
    return {
        "vpc": (
            {"id": "vpc-1", "cidrs": ["10.0.0.0/16"], "dns": dict.fromkeys(ve.DNS_ATTRIBUTES, True)} if vpc else None
        ),
        "zones": dict(ZONES) if vpc else {},
        "route_tables": ["rtb-a", "rtb-c"] if vpc else [],
        "subnet_tables": {"subnet-a": "rtb-a", "subnet-c": "rtb-c"} if vpc else {},
        "group": None,
        "endpoints": [],
        "offered": offered(),
    }


def test_service_names_and_types():
    assert ve.service_name(REGION, "ecr.dkr") == "com.amazonaws.ap-northeast-2.ecr.dkr"
    assert ve.service_name("cn-north-1", "ec2") == "cn.com.amazonaws.cn-north-1.ec2"
    assert ve.service_name("cn-north-1", "s3") == "com.amazonaws.cn-north-1.s3"
    assert [ve.endpoint_type(s) for s in ("s3", "sts")] == ["Gateway", "Interface"]


def test_build_desired_refuses_unknown_and_twice_listed_services():
    with pytest.raises(
        EksError, match=r"services\[1\]: 'dynamodb' is not one of .*; services\[2\]: ec2 is listed twice"
    ):
        desired(["ec2", "dynamodb", "ec2"])
    with pytest.raises(EksError, match="subnet_ids: the interface endpoints need the private subnets"):
        desired(["ec2"], subnets=())
    # eksctl's order, whatever the order given.
    assert desired(["sts", "logs", "ec2"])["services"] == ["ec2", "sts", "logs"]


def test_plan_of_an_empty_vpc_then_predict_needs_nothing_more():
    want = desired(list(ve.REQUIRED_SERVICES) + ["logs"])
    current = empty()
    changes = ve.plan(current, want)
    assert [(c["action"], c["resource"]) for c in changes] == [
        ("create", "security group c1-vpc-endpoints"),
        ("authorize", "security group c1-vpc-endpoints"),
    ] + [("create", f"VPC endpoint c1-{s}") for s in ["ec2", "ecr.api", "ecr.dkr", "s3", "sts", "logs"]]
    s3 = changes[5]["params"]
    assert s3 == {"service_name": "com.amazonaws.ap-northeast-2.s3", "type": "Gateway",
                  "tags": {"Name": "c1-s3", OWNER: "c1", "team": "t"}, "route_table_ids": ["rtb-a", "rtb-c"]}  # fmt: skip
    ec2 = changes[2]["params"]
    assert ec2["subnet_ids"] == ["subnet-a", "subnet-c"] and ec2["private_dns"] is True and ec2["group"] == "group"
    assert changes[1]["why"] == "tcp/443 from 10.0.0.0/16"
    after = ve.predict(current, want, changes)
    assert ve.plan(after, want) == []
    view = ve.view(after, want)
    assert view["security_group"]["https_from"] == ["10.0.0.0/16"]
    assert view["endpoints"]["com.amazonaws.ap-northeast-2.ecr.api"]["security_groups"] == [
        "c1-vpc-endpoints (to be created)"
    ]


def test_interface_endpoints_go_in_the_zones_the_service_is_offered_in():
    current = empty()
    current["offered"][ve.service_name(REGION, "sts")]["zones"] = ["ap-northeast-2a"]
    changes = ve.plan(current, desired(["sts"]))
    assert changes[-1]["params"]["subnet_ids"] == ["subnet-a"]


def test_a_pending_vpc_predicts_everything_with_pending_route_tables():
    want = desired(["s3", "ec2"], subnets=("pending:subnet", "pending:subnet"), vpc_id="pending:vpc")
    changes = ve.plan(empty(vpc=False), want)
    assert [c["action"] for c in changes] == ["create", "authorize", "create", "create"]
    assert changes[1]["why"] == "tcp/443 from the VPC's CIDR"
    assert changes[3]["params"]["route_table_ids"] == ["route table of pending:subnet"] * 2


def test_a_service_the_region_does_not_offer_and_a_subnet_on_the_main_table_fail_before_any_change():
    current = empty()
    del current["offered"][ve.service_name(REGION, "ecr.dkr")]
    current["subnet_tables"] = {"subnet-a": "rtb-a"}
    with pytest.raises(EksError) as e:
        ve.plan(current, desired())
    assert "com.amazonaws.ap-northeast-2.ecr.dkr (Interface) is not offered in ap-northeast-2" in str(e.value)
    assert "subnet_ids: subnet-c use the VPC's main route table" in str(e.value)


def endpoint(service, **extra):
    base = {
        "id": f"vpce-{service}", "service_name": ve.service_name(REGION, service), "type": ve.endpoint_type(service),
        "state": "available", "subnet_ids": ["subnet-a", "subnet-c"], "route_table_ids": [], "group_ids": ["sg-e"],
        "private_dns": True, "tags": {"Name": f"c1-{service}", OWNER: "c1", "team": "t"},
    }  # fmt: skip
    if service == "s3":
        base.update(subnet_ids=[], route_table_ids=["rtb-a", "rtb-c"], group_ids=[], private_dns=False)
    base.update(extra)
    return base


def converged():
    current = empty()
    current["group"] = {"id": "sg-e", "tags": {"Name": "c1-vpc-endpoints", OWNER: "c1", "team": "t"},
                        "https_from": ["10.0.0.0/16"]}  # fmt: skip
    current["endpoints"] = [endpoint(s) for s in ve.REQUIRED_SERVICES]
    return current


def test_converged_needs_nothing():
    assert ve.plan(converged(), desired()) == []


def test_drift_is_repaired_in_place_and_an_unlisted_owned_endpoint_deleted():
    current = converged()
    current["endpoints"][0] = endpoint("ec2", private_dns=False, group_ids=["sg-other"], subnet_ids=["subnet-a"])
    current["endpoints"][3] = endpoint("s3", route_table_ids=["rtb-a", "rtb-old"])
    current["endpoints"].append(endpoint("logs"))
    current["endpoints"].append(endpoint("autoscaling", tags={"Name": "theirs"}))  # not owned: left alone
    want = desired()
    changes = ve.plan(current, want)
    assert [(c["action"], c["resource"], c["why"]) for c in changes] == [
        ("update", "VPC endpoint c1-ec2 (vpce-ec2)", "add_subnet_ids ['subnet-c']; add_security_group_ids ['group'];"
         " remove_security_group_ids ['sg-other']; private_dns True"),
        ("update", "VPC endpoint c1-s3 (vpce-s3)", "add_route_table_ids ['rtb-c']; remove_route_table_ids ['rtb-old']"),
        ("delete", "VPC endpoint c1-logs (vpce-logs)", "com.amazonaws.ap-northeast-2.logs is no longer asked for"),
    ]  # fmt: skip
    assert ve.plan(ve.predict(current, want, changes), want) == []


def test_an_endpoint_of_the_vpc_that_does_not_stand_in_the_way_is_left_alone_beside_this_clusters():
    # As eksctl: its own endpoints are made whatever else the VPC has; one without private DNS, or an s3 gateway
    # endpoint on other route tables, takes nothing from them.
    current = converged()
    theirs = [endpoint("ec2", id="vpce-theirs", tags={"Name": "theirs"}, private_dns=False),
              endpoint("s3", id="vpce-s3-theirs", tags={}, route_table_ids=["rtb-public"])]  # fmt: skip
    current["endpoints"] += theirs
    assert ve.plan(current, desired()) == []
    current["endpoints"] = [e for e in current["endpoints"] if e["id"] not in ("vpce-ec2", "vpce-s3")]
    changes = ve.plan(current, desired())
    assert [(c["action"], c["resource"]) for c in changes] == [("create", "VPC endpoint c1-ec2"),
                                                               ("create", "VPC endpoint c1-s3")]  # fmt: skip
    after = ve.predict(current, desired(), changes)
    assert ve.plan(after, desired()) == [] and theirs[0] in after["endpoints"] and theirs[1] in after["endpoints"]
    result = ve._result_endpoints(after, desired())
    assert [(e["service"], e["id"], e["owned"]) for e in result[:1]] == [("ec2", "c1-ec2 (to be created)", True)]


def test_an_endpoint_of_the_vpc_where_this_clusters_would_go_is_refused_before_any_change():
    # An existing VPC's (or another cluster's) interface endpoint with private DNS, or s3 gateway endpoint on a
    # private subnet's route table: EC2 would refuse this cluster's (eksctl's stack fails there); each is named.
    current = empty()
    current["endpoints"] = [
        endpoint("sts", id="vpce-user", tags={"Name": "shared-sts"}),
        endpoint("ecr.api", id="vpce-other", tags={OWNER: "other"}),
        endpoint("s3", id="vpce-s3-user", tags={}, route_table_ids=["rtb-c", "rtb-x"]),
        endpoint("logs", id="vpce-logs-user", tags={}),  # not asked for: no matter
    ]
    with pytest.raises(EksError) as e:
        ve.plan(current, desired())
    assert str(e.value).split("; ") == [
        "services: ecr.api: VPC endpoint vpce-other of com.amazonaws.ap-northeast-2.ecr.api (cluster other's) has"
        " private DNS in the VPC (EC2 takes one endpoint with private DNS per service and VPC): delete it, or make none"
        " of them and use the VPC's own (a fully private cluster: private_cluster.skip_endpoint_creation true)",
        "services: s3: VPC endpoint vpce-s3-user of com.amazonaws.ap-northeast-2.s3 (not made by this collection) is on"
        " route table rtb-c of the private subnets (a route table takes one route to the service): delete it, or make"
        " none of them and use the VPC's own (a fully private cluster: private_cluster.skip_endpoint_creation true)",
        "services: sts: VPC endpoint vpce-user of com.amazonaws.ap-northeast-2.sts (not made by this collection) has"
        " private DNS in the VPC (EC2 takes one endpoint with private DNS per service and VPC): delete it, or make none"
        " of them and use the VPC's own (a fully private cluster: private_cluster.skip_endpoint_creation true)",
    ]
    # Without them in the list, nothing stands in the way.
    assert [c["resource"] for c in ve.plan(current, desired(["ec2"]))][-1] == "VPC endpoint c1-ec2"


def test_the_vpcs_dns_attributes_off_are_refused_by_name_before_any_change():
    current = empty()
    current["vpc"]["dns"] = {"enableDnsSupport": True, "enableDnsHostnames": False}
    with pytest.raises(EksError, match=r"^vpc_id: vpc-1 has enableDnsHostnames off; the interface endpoints' private"
                       r" DNS needs enableDnsSupport and enableDnsHostnames on: turn them on \(aws ec2"
                       r" modify-vpc-attribute --vpc-id vpc-1"):  # fmt: skip
        ve.plan(current, desired())
    current["vpc"]["dns"] = dict.fromkeys(ve.DNS_ATTRIBUTES, False)
    with pytest.raises(EksError, match="has enableDnsSupport and enableDnsHostnames off"):
        ve.plan(current, desired())
    # Not read (nothing but the s3 gateway endpoint asked for): nothing to refuse.
    current["vpc"]["dns"] = {}
    assert [c["resource"] for c in ve.plan(current, desired(["s3"]))] == ["VPC endpoint c1-s3"]


def test_https_is_admitted_from_every_cidr_of_the_vpc():
    current = converged()
    current["vpc"]["cidrs"] = ["10.0.0.0/16", "100.64.0.0/16"]
    changes = ve.plan(current, desired())
    assert [(c["action"], c["why"], c["params"]) for c in changes] == [
        ("authorize", "tcp/443 from 100.64.0.0/16", {"key": "group", "cidrs": ["100.64.0.0/16"]})
    ]
    after = ve.predict(current, desired(), changes)
    assert after["group"]["https_from"] == ["10.0.0.0/16", "100.64.0.0/16"] and ve.plan(after, desired()) == []


def test_the_vpcs_cidrs_primary_first_then_the_associated_ones():
    vpc = {"CidrBlock": "10.0.0.0/16", "CidrBlockAssociationSet": [
        {"CidrBlock": "10.0.0.0/16", "CidrBlockState": {"State": "associated"}},
        {"CidrBlock": "100.64.0.0/16", "CidrBlockState": {"State": "associated"}},
        {"CidrBlock": "100.65.0.0/16", "CidrBlockState": {"State": "disassociated"}}]}  # fmt: skip
    assert ve.vpc_cidrs(vpc) == ["10.0.0.0/16", "100.64.0.0/16"]


class FakeEc2Api:
    """The api functions ``read`` calls, answering an existing VPC (its DNS attributes as given)."""

    def __init__(self, dns):
        self.dns = dns
        self.calls = []

    def install(self, monkeypatch):
        for name in ("describe_vpc_endpoint_services", "describe_vpcs", "describe_vpc_attribute",
                     "describe_subnets_filtered", "describe_route_tables", "describe_security_groups_filtered",
                     "describe_vpc_endpoints"):  # fmt: skip
            monkeypatch.setattr(ve.api, name, getattr(self, name))

    def describe_vpc_endpoint_services(self, ec2, names):
        self.calls.append("DescribeVpcEndpointServices")
        return offered()

    def describe_vpcs(self, ec2, filters):
        self.calls.append("DescribeVpcs")
        return [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}]

    def describe_vpc_attribute(self, ec2, vpc_id, attribute):
        self.calls.append(f"DescribeVpcAttribute {attribute}")
        return self.dns[attribute]

    def describe_subnets_filtered(self, ec2, filters):
        self.calls.append("DescribeSubnets")
        return [{"SubnetId": s, "AvailabilityZone": z, "VpcId": "vpc-1"} for s, z in ZONES.items()]

    def describe_route_tables(self, ec2, filters):
        self.calls.append("DescribeRouteTables")
        return [{"RouteTableId": f"rtb-{s[-1]}", "Associations": [{"SubnetId": s}]} for s in ZONES]

    def describe_security_groups_filtered(self, ec2, filters):
        self.calls.append("DescribeSecurityGroups")
        return []

    def describe_vpc_endpoints(self, ec2, filters):
        self.calls.append("DescribeVpcEndpoints")
        return []


def test_read_asks_the_dns_attributes_only_for_interface_endpoints(monkeypatch):
    fake = FakeEc2Api({"enableDnsSupport": True, "enableDnsHostnames": False})
    fake.install(monkeypatch)
    current = ve.read("ec2", desired())
    assert current["vpc"] == {"id": "vpc-1", "cidrs": ["10.0.0.0/16"],
                              "dns": {"enableDnsSupport": True, "enableDnsHostnames": False}}  # fmt: skip
    assert fake.calls[:4] == ["DescribeVpcEndpointServices", "DescribeVpcs", "DescribeVpcAttribute enableDnsSupport",
                              "DescribeVpcAttribute enableDnsHostnames"]  # fmt: skip
    with pytest.raises(EksError, match="vpc_id: vpc-1 has enableDnsHostnames off"):
        ve.plan(current, desired())
    fake.calls.clear()
    assert ve.read("ec2", desired(["s3"]))["vpc"]["dns"] == {}
    assert not [c for c in fake.calls if c.startswith("DescribeVpcAttribute")]


def test_tags_converge():
    current = converged()
    current["endpoints"][1]["tags"] = {"Name": "c1-ecr.api", OWNER: "c1", "old": "x"}
    changes = ve.plan(current, desired())
    assert [(c["action"], c["why"]) for c in changes] == [("tag", "tags team"), ("untag", "tags old removed")]
    assert ve.plan(ve.predict(current, desired(), changes), desired()) == []
