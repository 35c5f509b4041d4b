"""fargate: validation, comparison and prediction of eks_fargate_profile (pure)."""

from __future__ import annotations

import pytest
from ansible_collections.aews.eks.plugins.module_utils._eks import fargate
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError

ROLE = "arn:aws:iam::123456789012:role/pods"
CURRENT = {
    "fargate_profile_name": "fp",
    "pod_execution_role_arn": ROLE,
    "selectors": [{"namespace": "a", "labels": {}}, {"namespace": "b", "labels": {"x": "1"}}],
    "subnets": ["subnet-0000000000000000a", "subnet-0000000000000000b"],
    "tags": {"team": "t"},
    "status": "ACTIVE",
}


def params(**kwargs):
    base = dict(cluster_name="c1", name="fp", pod_execution_role_arn=ROLE,
                selectors=[{"namespace": "b", "labels": {"x": 1}}, {"namespace": "a", "labels": None}],
                subnets=None, tags=None, purge_tags=True, state="present")  # fmt: skip
    base.update(kwargs)
    return base


def test_order_and_types_of_selectors_are_no_change():
    assert fargate.compare(CURRENT, params()) == ([], {}, [])


def test_changes_that_replace_and_tags_that_do_not():
    replace, to_set, to_remove = fargate.compare(
        CURRENT, params(selectors=[{"namespace": "a"}], subnets=["subnet-0000000000000000a"], tags={"team": "u"})
    )
    assert replace == ["selectors", "subnets"] and (to_set, to_remove) == ({"team": "u"}, [])
    assert fargate.compare(CURRENT, params(pod_execution_role_arn=ROLE + "2"))[0] == ["pod_execution_role_arn"]
    assert fargate.compare(CURRENT, params(tags={}))[1:] == ({}, ["team"])


def test_prediction_and_public_route():
    predicted = fargate.predict_created(params(), ["subnet-b", "subnet-a"], {"k": "v"})
    assert predicted["subnets"] == ["subnet-a", "subnet-b"] and predicted["status"] == "ACTIVE"
    assert predicted["selectors"] == CURRENT["selectors"] and predicted["tags"] == {"k": "v"}
    assert fargate.public_route({"Routes": [{"GatewayId": "local"}, {"GatewayId": "igw-1"}]}) == "igw-1"
    assert fargate.public_route({"Routes": [{"NatGatewayId": "nat-1"}]}) is None


def test_plan_and_predict():
    current = dict(CURRENT, fargate_profile_arn="arn:aws:eks:us-east-1:123456789012:fargateprofile/c1/fp/x")
    assert fargate.plan(current, params()) == []
    tags = fargate.plan(current, params(tags={"team": "u", "k": "v"}, purge_tags=True))
    assert [(r["action"], r["call"], r["params"].get("tags")) for r in tags] == [
        ("tag", "tag_resource", {"team": "u", "k": "v"})
    ]
    assert fargate.predict(current, params(), tags)["tags"] == {"team": "u", "k": "v"}

    replaced = fargate.plan(current, params(selectors=[{"namespace": "a"}], tags={}))
    assert [(r["action"], r["call"]) for r in replaced] == [
        ("delete", "delete_fargate_profile"),
        ("create", "create_fargate_profile"),
    ]
    assert "selectors changed" in replaced[0]["why"] and "deleted and created again" in replaced[0]["why"]
    assert replaced[1]["params"]["subnets"] == CURRENT["subnets"] and "tags" not in replaced[1]["params"]
    after = fargate.predict(current, params(selectors=[{"namespace": "a"}], tags={}), replaced)
    assert after["selectors"] == [{"namespace": "a", "labels": {}}] and after["tags"] == {}

    created = fargate.plan({}, params(tags={"t": "1"}))
    assert created[0]["action"] == "create" and "subnets" not in created[0]["params"]
    assert created[0]["params"]["selectors"] == [{"namespace": "a"}, {"namespace": "b", "labels": {"x": "1"}}]
    predicted = fargate.predict({}, params(tags={"t": "1"}), created, lambda: ["subnet-p2", "subnet-p1"])
    assert predicted["subnets"] == ["subnet-p1", "subnet-p2"] and predicted["tags"] == {"t": "1"}

    deleted = fargate.plan(current, params(state="absent"))
    assert [(r["action"], r["params"]) for r in deleted] == [
        ("delete", {"clusterName": "c1", "fargateProfileName": "fp"})
    ]
    assert fargate.predict(current, params(state="absent"), deleted) == {}
    assert fargate.plan(dict(current, status="DELETING"), params(state="absent")) == []


def test_every_problem_is_named_at_once():
    with pytest.raises(EksError) as info:
        fargate.validate_params(
            params(
                name="-bad",
                pod_execution_role_arn="arn:aws:iam::123456789012:user/u",
                selectors=[{"namespace": ""}] * 6,
                subnets=["sg-1"],
            )
        )
    assert info.value.kwargs["problems"] == [
        "name: '-bad' must be 1 to 100 letters, digits, - and _, starting with a letter or digit",
        "pod_execution_role_arn: 'arn:aws:iam::123456789012:user/u' is not an IAM role ARN "
        "(arn:aws:iam::ACCOUNT:role/NAME)",
        "selectors: 6 selectors; EKS takes at most 5 per profile",
    ] + [f"selectors[{i}].namespace: is required" for i in range(6)] + [
        "subnets[0]: 'sg-1' is not a subnet id (subnet-...)"
    ]
