"""aews.eks.tag_key and aews.eks.managed_policy_arn: the vocabulary's tag keys and managed policies for the roles."""

from __future__ import annotations

import pathlib
import re

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.aews.eks.plugins.filter.vocabulary import FilterModule
from ansible_collections.aews.eks.plugins.filter.vocabulary import managed_policy_arn
from ansible_collections.aews.eks.plugins.filter.vocabulary import tag_key
from ansible_collections.aews.eks.plugins.module_utils._eks import vocabulary as v

ROOT = pathlib.Path(__file__).resolve().parents[4]


def test_tag_keys_are_the_vocabularys():
    assert tag_key("owner") == v.OWNER_TAG == "aews.eks/cluster-name"
    assert tag_key("service_accounts") == v.SERVICE_ACCOUNTS_TAG
    assert tag_key("service_account_mode") == v.SERVICE_ACCOUNT_MODE_TAG
    assert {tag_key(name) for name in ("owner", "service_accounts", "service_account_mode", "self_managed_nodegroup")} == set(v.TAG_KEYS)


def test_an_unknown_tag_key_name_fails_naming_the_choices():
    with pytest.raises(AnsibleFilterError, match=r"'cluster-name' is not one of owner, service_accounts"):
        tag_key("cluster-name")


def test_managed_policy_arns_in_a_partition():
    assert managed_policy_arn("AmazonEKSClusterPolicy") == "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"
    assert (
        managed_policy_arn("AmazonEKSFargatePodExecutionRolePolicy", "aws-cn")
        == "arn:aws-cn:iam::aws:policy/AmazonEKSFargatePodExecutionRolePolicy"
    )
    assert managed_policy_arn(["AmazonEKSClusterPolicy", "AmazonEKSVPCResourceController"]) == [
        v.policy_arn("AmazonEKSClusterPolicy"),
        v.policy_arn("AmazonEKSVPCResourceController"),
    ]


def test_a_policy_the_collection_does_not_attach_fails():
    with pytest.raises(AnsibleFilterError, match=r"'AdministratorAccess' is not one of the managed policies"):
        managed_policy_arn(["AmazonEKSClusterPolicy", "AdministratorAccess"])


def test_the_filters_are_registered():
    assert FilterModule().filters() == {"tag_key": tag_key, "managed_policy_arn": managed_policy_arn}


def _role_texts():
    return "".join(
        p.read_text()
        for p in sorted((ROOT / "roles").rglob("*"))
        if p.suffix in (".yml", ".yaml", ".j2") and p.is_file()
    )


def test_the_roles_ask_only_for_names_the_filters_know():
    texts = _role_texts()
    keys = re.findall(r"'(\w+)' \| aews\.eks\.tag_key", texts)
    policies = re.findall(r"'(\w+)' \| aews\.eks\.managed_policy_arn", texts)
    assert "owner" in keys and "AmazonEKSFargatePodExecutionRolePolicy" in policies
    for name in keys:
        tag_key(name)
    assert set(policies) <= set(v.MANAGED_POLICIES), set(policies) - set(v.MANAGED_POLICIES)
