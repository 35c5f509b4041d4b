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
        "vpc": {"id": "vpc-1", "cidr": "10.0.0.0/16"} if vpc else None,
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


def test_an_endpoint_of_the_service_made_otherwise_is_left_alone():
    current = converged()
    current["endpoints"][0] = endpoint("ec2", tags={"Name": "theirs"}, private_dns=False)
    assert ve.plan(current, desired()) == []


def test_tags_converge():
    current = converged()
    current["endpoints"][1]["tags"] = {"Name": "c1-ecr.api", OWNER: "c1", "old": "x"}
    changes = ve.plan(current, desired())
    assert [(c["action"], c["why"]) for c in changes] == [("tag", "tags team"), ("untag", "tags old removed")]
    assert ve.plan(ve.predict(current, desired(), changes), desired()) == []
