# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the shared module helpers: resource conversion, tag changes, results and errors."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.aews.eks.plugins.module_utils._eks import common
from ansible_collections.aews.eks.plugins.module_utils._eks.common import apply_tag_changes
from ansible_collections.aews.eks.plugins.module_utils._eks.common import tag_changes
from ansible_collections.aews.eks.plugins.module_utils._eks.common import tags_after
from ansible_collections.aews.eks.plugins.module_utils._eks.common import to_ansible
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError


class ModuleExit(Exception):
    """Raised by FakeModule.exit_json / fail_json so a test sees what the module would return."""

    def __init__(self, kind, result):
        super().__init__(kind)
        self.kind = kind
        self.result = result


class FakeModule:
    def __init__(self, check_mode=False, diff_mode=False):
        self.check_mode = check_mode
        self._diff = diff_mode

    def exit_json(self, **kwargs):
        raise ModuleExit("exit", kwargs)

    def fail_json(self, **kwargs):
        raise ModuleExit("fail", kwargs)


# ---------------------------------------------------------------- to_ansible
USER_KEY_CASES = [
    pytest.param(
        {"tags": {"CostCenter": "Platform", "kubernetes.io/cluster/myeks": "owned"}},
        {"tags": {"CostCenter": "Platform", "kubernetes.io/cluster/myeks": "owned"}},
        id="tags",
    ),
    pytest.param(
        {"labels": {"NodeRole": "system", "alpha.eksctl.io/nodegroup-name": "ng1"}},
        {"labels": {"NodeRole": "system", "alpha.eksctl.io/nodegroup-name": "ng1"}},
        id="labels",
    ),
    pytest.param(
        {"configurationValues": '{"replicaCount": 3, "resources": {"limits": {}}}'},
        {"configuration_values": '{"replicaCount": 3, "resources": {"limits": {}}}'},
        id="configuration-values-string",
    ),
    pytest.param(
        {"configurationValues": {"replicaCount": 3, "podDisruptionBudget": {"maxUnavailable": 1}}},
        {"configuration_values": {"replicaCount": 3, "podDisruptionBudget": {"maxUnavailable": 1}}},
        id="configuration-values-dict",
    ),
    pytest.param(
        {"launchTemplate": {"tags": {"InnerTag": "v"}}, "items": [{"labels": {"ListLabel": "1"}}]},
        {"launch_template": {"tags": {"InnerTag": "v"}}, "items": [{"labels": {"ListLabel": "1"}}]},
        id="nested-at-any-depth",
    ),
    pytest.param({"tags": {}}, {"tags": {}}, id="empty-tags"),
]


@pytest.mark.parametrize("resource, expected", USER_KEY_CASES)
def test_to_ansible_keeps_user_owned_keys(resource, expected):
    assert to_ansible(resource) == expected


def test_to_ansible_snake_cases_everything_else():
    created = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    resource = {
        "name": "myeks",
        "createdAt": created,
        "resourcesVpcConfig": {"subnetIds": ["subnet-1"], "endpointPublicAccess": True},
        "health": {"issues": [{"code": "Ec2SubnetNotFound", "resourceIds": ["subnet-1"]}]},
        "tags": {"Owner": "Team"},
    }
    assert to_ansible(resource) == {
        "name": "myeks",
        "created_at": "2026-01-02T03:04:05+00:00",
        "resources_vpc_config": {"subnet_ids": ["subnet-1"], "endpoint_public_access": True},
        "health": {"issues": [{"code": "Ec2SubnetNotFound", "resource_ids": ["subnet-1"]}]},
        "tags": {"Owner": "Team"},
    }


def test_to_ansible_does_not_modify_its_argument():
    resource = {"nodegroupName": "ng1", "labels": {"A": "b"}, "createdAt": datetime.datetime(2026, 1, 1)}
    before = {"nodegroupName": "ng1", "labels": {"A": "b"}, "createdAt": datetime.datetime(2026, 1, 1)}
    to_ansible(resource)
    assert resource == before


def test_to_ansible_of_nothing_is_none():
    assert to_ansible(None) is None


def test_to_ansible_with_other_user_keys():
    resource = {"tags": {"KeepMe": "x"}, "annotations": {"eks.amazonaws.com/roleArn": "arn"}}
    assert to_ansible(resource, user_keys=("annotations",)) == {
        "tags": {"keep_me": "x"},
        "annotations": {"eks.amazonaws.com/roleArn": "arn"},
    }


# ---------------------------------------------------------------- tags
TAG_CASES = [
    # current, desired, purge, (to set, to remove)
    pytest.param({"A": "1"}, None, True, ({}, []), id="not-asked"),
    pytest.param({"A": "1"}, {"A": "1"}, True, ({}, []), id="no-change"),
    pytest.param({"A": "1"}, {"A": "1"}, False, ({}, []), id="no-change-no-purge"),
    pytest.param({}, {}, True, ({}, []), id="none-wanted-none-there"),
    pytest.param(None, {"A": "1"}, True, ({"A": "1"}, []), id="add-to-untagged"),
    pytest.param({"A": "1"}, {"A": "2"}, True, ({"A": "2"}, []), id="change-value"),
    pytest.param({"A": "1", "B": "2"}, {"A": "1"}, True, ({}, ["B"]), id="purge-extra"),
    pytest.param({"A": "1", "B": "2"}, {"A": "1"}, False, ({}, []), id="keep-extra"),
    pytest.param({"A": "1", "B": "2"}, {}, True, ({}, ["A", "B"]), id="purge-all"),
    pytest.param({"A": "1"}, {"a": "1"}, True, ({"a": "1"}, ["A"]), id="keys-are-case-sensitive"),
]


@pytest.mark.parametrize("current, desired, purge, expected", TAG_CASES)
def test_tag_changes(current, desired, purge, expected):
    to_set, to_remove = tag_changes(current, desired, purge)
    assert (to_set, sorted(to_remove)) == expected


@pytest.mark.parametrize(
    "current, to_set, to_remove, expected",
    [
        ({"A": "1"}, {}, [], {"A": "1"}),
        (None, {"A": "1"}, [], {"A": "1"}),
        ({"A": "1", "B": "2"}, {"A": "3"}, ["B"], {"A": "3"}),
        ({"A": "1"}, {}, ["missing"], {"A": "1"}),
    ],
)
def test_apply_tag_changes(current, to_set, to_remove, expected):
    before = dict(current or {})
    assert apply_tag_changes(current, to_set, to_remove) == expected
    assert (current or {}) == before


def test_tags_after_a_tag_and_an_untag_record():
    current = {"a": "1", "b": "2"}
    assert tags_after(current, {"action": "tag_role", "tags": {"b": "3", "c": "4"}}) == {"a": "1", "b": "3", "c": "4"}
    assert tags_after(current, {"action": "untag_role", "keys": ["a", "z"]}) == {"b": "2"}
    assert tags_after(None, {"action": "tag_provider", "tags": {"k": "v"}}) == {"k": "v"}
    assert current == {"a": "1", "b": "2"}


# ---------------------------------------------------------------- run
def test_run_turns_eks_error_into_fail_json():
    def ensure(module):
        raise EksError(message="Cluster version 1.20 is not supported", field="version")

    with pytest.raises(ModuleExit) as e:
        common.run(FakeModule(), ensure)
    assert e.value.kind == "fail"
    assert e.value.result == {"msg": "Cluster version 1.20 is not supported", "field": "version"}


def test_run_lets_other_exceptions_through():
    def ensure(module):
        raise KeyError("bug")

    with pytest.raises(KeyError):
        common.run(FakeModule(), ensure)


def test_run_exits_with_the_result_the_function_returns():
    def ensure(module):
        return {"changed": False, "cluster": None}

    with pytest.raises(ModuleExit) as e:
        common.run(FakeModule(), ensure)
    assert e.value.result == {"changed": False, "cluster": None}


def test_raw_client_unwraps_a_retrying_client():
    class Wrapped:
        client = "plain"

    assert common.raw_client(Wrapped()) == "plain"
    assert common.raw_client("plain") == "plain"


def test_a_module_run_makes_one_client_per_service():
    class Module:
        params = {}
        made = []

        def client(self, service):
            self.made.append(service)
            return f"plain {service}"

    module = Module()
    eks = common.client(module, "eks")
    assert common.client(module, "eks") is eks and common.raw_client(eks) == "plain eks"
    assert common.raw_client(common.client(module, "ec2")) == "plain ec2"
    assert module.made == ["eks", "ec2"]
    # Another module run, its own clients.
    assert common.client(Module(), "eks") is not eks
