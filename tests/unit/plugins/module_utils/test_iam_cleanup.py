# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the IAM roles the teardown considers: by name, and the IRSA / Pod Identity roles by their trust."""

from __future__ import annotations

import json
from urllib.parse import quote

from ansible_collections.aews.eks.plugins.module_utils._eks import iam_cleanup


def role(name, principal):
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal,
                                                        "Action": "sts:AssumeRole"}]}  # fmt: skip
    return {"RoleName": name, "AssumeRolePolicyDocument": document}


ROLES = [
    role("myeks-cluster-role", {"Service": "eks.amazonaws.com"}),
    role("irsa-custom", {"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.x/id/ABC"}),
    role("pods-custom", {"Service": "pods.eks.amazonaws.com"}),
    role("unrelated", {"Service": "ec2.amazonaws.com"}),
]


def test_by_name_only_unless_service_account_roles():
    assert [r["RoleName"] for r in iam_cleanup.candidates(ROLES, "myeks")] == ["myeks-cluster-role"]
    found = iam_cleanup.candidates(ROLES, "myeks", service_account_roles=True)
    assert [r["RoleName"] for r in found] == ["myeks-cluster-role", "irsa-custom", "pods-custom"]


def test_a_trust_policy_as_iam_answers_it_url_encoded():
    encoded = dict(ROLES[2], AssumeRolePolicyDocument=quote(json.dumps(ROLES[2]["AssumeRolePolicyDocument"])))
    assert iam_cleanup.trusts_pod_identity(encoded)
    assert not iam_cleanup.trusts_pod_identity(ROLES[3])


def test_candidates_still_go_only_with_the_ownership_tag():
    found = iam_cleanup.candidates(ROLES, "myeks", service_account_roles=True)
    tags = {"myeks-cluster-role": {"aews.eks/cluster-name": "myeks"}, "irsa-custom": {"aews.eks/cluster-name": "other"}}
    chosen, kept = iam_cleanup.select(found, tags, "myeks")
    assert [r["RoleName"] for r in chosen] == ["myeks-cluster-role"]
    assert [r["RoleName"] for r in kept] == ["irsa-custom", "pods-custom"]
