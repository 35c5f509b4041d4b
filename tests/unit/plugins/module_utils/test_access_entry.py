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
    predicted = ae.predict(current, params(), changes, associate, disassociate, to_set, to_remove)
    assert predicted["access_policies"] == associate and predicted["tags"] == {}


def test_type_cannot_change():
    with pytest.raises(EksError, match="cannot change the type of an access entry"):
        ae.compare({"type": "EC2_LINUX"}, params())
