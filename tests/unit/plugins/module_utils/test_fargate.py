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
    predicted = fargate.predict(params(), ["subnet-b", "subnet-a"], {"k": "v"})
    assert predicted["subnets"] == ["subnet-a", "subnet-b"] and predicted["status"] == "ACTIVE"
    assert predicted["selectors"] == CURRENT["selectors"] and predicted["tags"] == {"k": "v"}
    assert fargate.public_route({"Routes": [{"GatewayId": "local"}, {"GatewayId": "igw-1"}]}) == "igw-1"
    assert fargate.public_route({"Routes": [{"NatGatewayId": "nat-1"}]}) is None


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
