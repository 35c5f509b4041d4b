"""access_entry: validation, comparison and prediction of eks_access_entry (pure)."""

from __future__ import annotations

import pytest
from ansible_collections.aews.eks.plugins.module_utils._eks import access_entry as ae
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError

ROLE = "arn:aws:iam::123456789012:role/dev"
VIEW = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
ADMIN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy"


def params(**kwargs):
    base = dict(cluster_name="c1", principal_arn=ROLE, type="STANDARD", kubernetes_groups=None, username=None,
                access_policies=None, tags=None, purge_tags=True, state="present")  # fmt: skip
    base.update(kwargs)
    return base


def test_every_problem_is_named_at_once():
    with pytest.raises(EksError) as info:
        ae.validate_params(
            params(
                principal_arn="arn:aws:iam::123456789012:group/g",
                type="FARGATE_LINUX",
                username="u",
                access_policies=[{"policy_arn": VIEW, "access_scope": {"type": "cluster", "namespaces": ["a"]}}],
            )
        )
    assert info.value.kwargs["problems"] == [
        "principal_arn: 'arn:aws:iam::123456789012:group/g' is not an IAM role or user ARN "
        "(arn:aws:iam::ACCOUNT:role/NAME or arn:aws:iam::ACCOUNT:user/NAME)",
        "username: EKS sets the username of FARGATE_LINUX access entries; leave it unset",
        "access_policies: access policies are for STANDARD access entries only, not FARGATE_LINUX",
        "access_policies[0].access_scope.namespaces: a cluster scope takes no namespaces",
    ]


def test_defaults_eks_gives():
    assert ae.default_username(ROLE, "STANDARD") == "arn:aws:sts::123456789012:assumed-role/dev/{{SessionName}}"
    assert ae.default_username("arn:aws:iam::123456789012:user/u", "STANDARD") == "arn:aws:iam::123456789012:user/u"
    assert ae.default_username(ROLE, "EC2_LINUX") == "system:node:{{EC2PrivateDNSName}}"
    assert ae.default_groups("FARGATE_LINUX") == ["system:nodes"] and ae.default_groups("STANDARD") == []


def test_compare_leaves_unset_options_and_is_exclusive_for_policies():
    current = {
        "principal_arn": ROLE,
        "type": "STANDARD",
        "kubernetes_groups": ["a"],
        "username": "dev",
        "access_policies": [
            {"policy_arn": ADMIN, "access_scope": {"type": "cluster", "namespaces": []}},
            {"policy_arn": VIEW, "access_scope": {"type": "namespace", "namespaces": ["x"]}},
        ],
        "tags": {"k": "v"},
    }
    assert ae.compare(current, params()) == ({}, [], [], {}, [])
    changes, associate, disassociate, to_set, to_remove = ae.compare(
        current,
        params(
            kubernetes_groups=["b", "a", "b"],
            access_policies=[{"policy_arn": VIEW, "access_scope": {"type": "namespace", "namespaces": ["y", "x"]}}],
            tags={},
        ),  # noqa: E501
    )
    assert changes == {"kubernetes_groups": ["a", "b"]}
    assert associate == [{"policy_arn": VIEW, "access_scope": {"type": "namespace", "namespaces": ["x", "y"]}}]
    assert disassociate == [ADMIN] and (to_set, to_remove) == ({}, ["k"])
    current["access_entry_arn"] = "arn:aws:eks:us-east-1:123456789012:access-entry/c/role/123456789012/dev/x"
    records = ae.plan(
        current,
        params(
            kubernetes_groups=["b", "a", "b"],
            access_policies=[{"policy_arn": VIEW, "access_scope": {"type": "namespace", "namespaces": ["y", "x"]}}],
            tags={},
        ),
    )
    assert [(r["action"], r["call"]) for r in records] == [
        ("update", "update_access_entry"),
        ("untag", "untag_resource"),
        ("disassociate", "disassociate_access_policy"),
        ("associate", "associate_access_policy"),
    ]
    assert (
        records[0]["params"]["kubernetesGroups"] == ["a", "b"] and "kubernetes_groups: ['a'] -> " in records[0]["why"]
    )
    assert records[1]["params"] == {"resourceArn": current["access_entry_arn"], "tagKeys": ["k"]}
    assert records[3]["params"]["accessScope"] == {"type": "namespace", "namespaces": ["x", "y"]}
    predicted = ae.predict(current, params(), records)
    assert predicted["access_policies"] == associate and predicted["tags"] == {}
    assert predicted["kubernetes_groups"] == ["a", "b"]
    assert ae.predict(current, params(), []) == current


def test_plan_of_a_new_entry_and_of_a_delete():
    records = ae.plan({}, params(kubernetes_groups=["dev"], tags={"t": "1"}))
    assert [(r["action"], r["call"]) for r in records] == [("create", "create_access_entry")]
    assert records[0]["params"]["kubernetesGroups"] == ["dev"] and records[0]["params"]["tags"] == {"t": "1"}
    predicted = ae.predict({}, params(kubernetes_groups=["dev"], tags={"t": "1"}), records)
    assert predicted["tags"] == {"t": "1"} and predicted["kubernetes_groups"] == ["dev"]
    gone = ae.plan({"principal_arn": ROLE, "type": "STANDARD"}, params(state="absent"))
    assert [(r["action"], r["call"]) for r in gone] == [("delete", "delete_access_entry")]
    assert ae.predict({"principal_arn": ROLE}, params(state="absent"), gone) == {}
    assert ae.plan({}, params(state="absent")) == []


def test_type_cannot_change():
    with pytest.raises(EksError, match="cannot change the type of an access entry"):
        ae.compare({"type": "EC2_LINUX"}, params())
