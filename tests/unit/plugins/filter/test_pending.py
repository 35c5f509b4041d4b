"""Pending values: the filter and the test aews.eks.pending (vocabulary.pending / is_pending), as the roles use them,
and no role spelling a placeholder id of its own."""

from __future__ import annotations

import pathlib
import re

import jinja2
import pytest
import yaml
from ansible.errors import AnsibleFilterError
from ansible.plugins.filter.mathstuff import FilterModule as MathFilters

from ansible_collections.aews.eks.plugins.filter.pending import FilterModule
from ansible_collections.aews.eks.plugins.filter.pending import pending
from ansible_collections.aews.eks.plugins.module_utils._eks import vocabulary as v
from ansible_collections.aews.eks.plugins.test import pending as pending_test

ROOT = pathlib.Path(__file__).resolve().parents[4]


def render(expression, **variables):
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    env.filters.update(MathFilters().filters())  # zip, as Ansible has it
    env.filters["aews.eks.pending"] = FilterModule().filters()["pending"]
    env.tests["aews.eks.pending"] = pending_test.TestModule().tests()["pending"]
    return env.from_string(expression).render(**variables)


def test_pending_values_by_kind_and_name():
    assert pending("vpc") == v.pending("vpc") == "pending:vpc"
    assert pending("subnet") == "pending:subnet"
    assert pending("security-group", "demo-shared-nodes") == "pending:security-group/demo-shared-nodes"
    assert pending("instance-profile", "demo-ng-node-profile") == "pending:instance-profile/demo-ng-node-profile"
    assert {pending(kind) for kind in v.PENDING_KINDS} == {"pending:" + kind for kind in v.PENDING_KINDS}


@pytest.mark.parametrize(("args", "message"), [
    (("sg",), r"aews.eks.pending: 'sg' is not one of vpc, subnet, security-group, instance-profile"),
    (("security-group", ""), r"aews.eks.pending: the name of a pending value cannot be empty"),
])  # fmt: skip
def test_an_unknown_kind_or_an_empty_name_fails(args, message):
    with pytest.raises(AnsibleFilterError, match=message):
        pending(*args)


@pytest.mark.parametrize("value", [pending(kind) for kind in v.PENDING_KINDS] + [pending("subnet", "eu-west-1a")])
def test_the_test_is_true_for_every_pending_value(value):
    assert pending_test.TestModule().tests()["pending"](value) is True


@pytest.mark.parametrize("value", [
    "vpc-0123456789abcdef0", "subnet-00000000000000000", "sg-00000000000000001",
    "arn:aws:iam::123456789012:instance-profile/demo", "", None, 0, ["pending:vpc"], {"id": "pending:vpc"}, "pending",
])  # fmt: skip
def test_the_test_is_false_for_ids_and_other_values(value):
    assert pending_test.TestModule().tests()["pending"](value) is False


def test_in_templates_as_the_roles_use_them():
    # vpc role: an id a check run has not got falls back to the pending value; a real one is kept.
    assert render("{{ none | default('vpc' | aews.eks.pending, true) }}") == "pending:vpc"
    assert render("{{ 'vpc-0abc' | default('vpc' | aews.eks.pending, true) }}") == "vpc-0abc"
    subnets = render(
        "{{ dict(ids.keys() | zip(ids.values() | map('default', 'subnet' | aews.eks.pending, true))) }}",
        ids={"a": "subnet-0aaa", "b": None},
    )
    assert subnets == str({"a": "subnet-0aaa", "b": "pending:subnet"})
    # cluster / nodegroup roles: told apart by the test only.
    assert render("{{ 'pending:security-group/x' is aews.eks.pending }}") == "True"
    assert render("{{ 'sg-0abc' is not aews.eks.pending }}") == "True"
    assert render("{{ ids | select('aews.eks.pending') | list | length }}", ids=["subnet-0a", "pending:subnet"]) == "1"


def test_the_documentation_names_the_vocabularys_kinds():
    doc = yaml.safe_load((ROOT / "plugins/filter/pending.yml").read_text())["DOCUMENTATION"]
    assert doc["options"]["_input"]["choices"] == list(v.PENDING_KINDS)
    assert yaml.safe_load((ROOT / "plugins/test/pending.yml").read_text())["DOCUMENTATION"]["name"] == "pending"


def test_no_role_or_plugin_spells_a_placeholder_id():
    # A prediction is a pending value, made by the filter and told apart by the test, never a made-up id.
    placeholder = re.compile(r"(vpc|subnet|sg)-0{17}|:0{12}:")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("roles", "playbooks", "plugins")
        for path in sorted((ROOT / folder).rglob("*"))
        if path.suffix in (".yml", ".yaml", ".py", ".j2")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if placeholder.search(line)
    ]
    assert found == []
