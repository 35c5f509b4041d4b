# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the EKS side of the teardown in one run: what belongs to the cluster, the order of the deletions
and their waits, what a resumed run waits for, check mode (reads only)."""

from __future__ import annotations

import pytest

from ansible_collections.aews.eks.plugins.module_utils._eks import cluster as clusters
from ansible_collections.aews.eks.plugins.module_utils._eks import cluster_cleanup
from ansible_collections.aews.eks.plugins.module_utils._eks import common
from ansible_collections.aews.eks.plugins.module_utils._eks import fargate
from ansible_collections.aews.eks.plugins.module_utils._eks import identity_provider
from ansible_collections.aews.eks.plugins.module_utils._eks.waiters import Deadline

OWN = {"aews.eks/cluster-name": "myeks"}
OTHER = {"aews.eks/cluster-name": "other"}


def group(name, size=2, owner="myeks"):
    return {
        "AutoScalingGroupName": f"myeks-{name}",
        "MinSize": size,
        "DesiredCapacity": size,
        "Instances": [{"InstanceId": f"i-{n}", "LifecycleState": "InService"} for n in range(size)],
        "Tags": [
            {"Key": "aews.eks/cluster-name", "Value": owner},
            {"Key": "aews.eks/self-managed-nodegroup", "Value": name},
            {"Key": "kubernetes.io/cluster/myeks", "Value": "owned"},
        ],
    }


def found(status="ACTIVE", cluster_tags=None, **changes):
    tags = OWN if cluster_tags is None else cluster_tags
    inventory = {
        "cluster": {"name": "myeks", "status": status, "tags": dict(tags)},
        "addons": [
            {"addonName": "kube-proxy", "status": "ACTIVE", "tags": dict(OWN)},
            {"addonName": "vpc-cni", "status": "ACTIVE", "tags": dict(OWN)},
            {"addonName": "theirs", "status": "ACTIVE", "tags": {}},
        ],
        "nodegroups": [
            {"nodegroupName": "ng-1", "status": "ACTIVE", "tags": dict(OWN)},
            {"nodegroupName": "ng-other", "status": "ACTIVE", "tags": dict(OTHER)},
        ],
        "fargate_profiles": ["fp-1", "fp-2"],
        "identity_provider_configs": [{"identityProviderConfigName": "corp", "status": "ACTIVE"}],
        "self_managed_nodegroups": [group("ng-self")],
        "log_group": {"name": "/aws/eks/myeks/cluster", "tags": dict(OWN)},
    }
    inventory.update(changes)
    return inventory


def kinds(changes):
    return [(c["kind"], c["action"], c["name"]) for c in changes]


def test_everything_the_cluster_owns_goes_in_eksctls_order():
    changes, waits, kept = cluster_cleanup.plan("myeks", found())
    assert kinds(changes) == [
        ("self_managed_nodegroup", "scale", "ng-self"),
        ("self_managed_nodegroup", "delete", "ng-self"),
        ("addon", "delete", "vpc-cni"),  # first: it holds the network interfaces of the pods
        ("addon", "delete", "kube-proxy"),
        ("nodegroup", "delete", "ng-1"),
        ("fargate_profile", "delete", "fp-1"),
        ("fargate_profile", "delete", "fp-2"),
        ("identity_provider_config", "disassociate", "corp"),
        ("cluster", "delete", "myeks"),
        ("log_group", "delete", "/aws/eks/myeks/cluster"),
    ]
    assert waits == []
    assert kept == [{"type": "nodegroup", "name": "ng-other", "reason": "not tagged aews.eks/cluster-name: myeks"}]
    assert [c["call"] for c in changes if c["kind"] == "cluster"] == ["delete_cluster"]
    assert cluster_cleanup.deleted(changes)[:2] == [
        {"type": "self_managed_nodegroup", "name": "ng-self"},
        {"type": "addon", "name": "vpc-cni"},
    ]


def test_another_clusters_or_an_untagged_cluster_is_kept_with_its_profiles():
    changes, _waits, kept = cluster_cleanup.plan("myeks", found(cluster_tags={}, log_group=None))
    assert {c["kind"] for c in changes} == {"self_managed_nodegroup", "addon", "nodegroup"}
    assert {"type": "cluster", "name": "myeks", "reason": "not tagged aews.eks/cluster-name: myeks"} in kept


def test_what_an_interrupted_run_left_deleting_is_waited_for_not_deleted_again():
    inventory = found(
        status="DELETING",
        addons=[{"addonName": "vpc-cni", "status": "DELETING", "tags": dict(OWN)}],
        nodegroups=[{"nodegroupName": "ng-1", "status": "DELETING", "tags": dict(OWN)}],
        self_managed_nodegroups=[],
        log_group=None,
    )
    changes, waits, kept = cluster_cleanup.plan("myeks", inventory)
    assert changes == []  # a resumed run changes nothing: it waits
    assert waits == [{"type": "addon", "name": "vpc-cni"}, {"type": "nodegroup", "name": "ng-1"},
                     {"type": "cluster", "name": "myeks"}]  # fmt: skip
    assert kept == []


def test_a_cluster_gone_leaves_only_its_log_group():
    inventory = {"cluster": None, "log_group": {"name": "/aws/eks/myeks/cluster", "tags": dict(OWN)}}
    changes, waits, _kept = cluster_cleanup.plan("myeks", inventory)
    assert kinds(changes) == [("log_group", "delete", "/aws/eks/myeks/cluster")]
    assert waits == []
    assert cluster_cleanup.plan("myeks", {"cluster": None, "log_group": None}) == ([], [], [])


def test_a_log_group_of_the_same_name_without_the_tag_is_kept():
    inventory = {"cluster": None, "log_group": {"name": "/aws/eks/myeks/cluster", "tags": {}}}
    changes, _waits, kept = cluster_cleanup.plan("myeks", inventory)
    assert changes == [] and [k["type"] for k in kept] == ["log_group"]


class FakeEks:
    """Records every call of the run in order (reads, deletes and waits) against the inventory of ``found``."""

    def __init__(self, monkeypatch, inventory):
        self.calls = []
        self.inventory = inventory
        api = cluster_cleanup.api
        reads = {
            "describe_cluster": lambda _c, name: inventory["cluster"],
            "list_addons": lambda _c, name: [a["addonName"] for a in inventory["addons"]],
            "describe_addon": lambda _c, cluster, name: next(a for a in inventory["addons"] if a["addonName"] == name),
            "list_nodegroups": lambda _c, name: [n["nodegroupName"] for n in inventory["nodegroups"]],
            "describe_nodegroup": lambda _c, cluster, name: next(
                (n for n in inventory["nodegroups"] if n["nodegroupName"] == name), None
            ),
            "list_fargate_profiles": lambda _c, name: list(inventory["fargate_profiles"]),
            "list_identity_provider_configs": lambda _c, name: [
                {"type": "oidc", "name": c["identityProviderConfigName"]} for c in inventory["identity_provider_configs"]
            ],
            "describe_identity_provider_config": lambda _c, cluster, name: next(
                c for c in inventory["identity_provider_configs"] if c["identityProviderConfigName"] == name
            ),
            "describe_auto_scaling_groups": lambda _c, names=None, filters=None: list(
                inventory["self_managed_nodegroups"]
            ),
            "describe_log_groups": lambda _c, prefix: [{"logGroupName": inventory["log_group"]["name"]}]
            if inventory["log_group"]
            else [],
            "list_tags_log_group": lambda _c, name: dict(inventory["log_group"]["tags"]),
        }
        for name, func in reads.items():
            monkeypatch.setattr(api, name, self._recorded(name, func))
        for name in ("delete_addon", "delete_nodegroup", "delete_cluster", "delete_log_group",
                     "update_auto_scaling_group", "delete_auto_scaling_group"):  # fmt: skip
            monkeypatch.setattr(api, name, self._recorded(name, lambda *a, **k: True))
        monkeypatch.setattr(cluster_cleanup, "wait", self.wait)
        monkeypatch.setattr(clusters, "wait", self.wait)  # the nodegroups' waits are cluster.py's
        monkeypatch.setattr(cluster_cleanup.self_managed, "read", lambda _asg, name: None)  # the nodes gone at once
        monkeypatch.setattr(fargate, "delete_profile", self._recorded("delete_fargate_profile", lambda *a, **k: None))
        monkeypatch.setattr(identity_provider, "apply", self._recorded("disassociate", lambda *a, **k: []))

    def _recorded(self, name, func):
        def call(*args, **kwargs):
            self.calls.append((name, *[a for a in args[1:] if isinstance(a, str)], *kwargs.values()))
            return func(*args, **kwargs)

        return call

    def wait(self, _client, waiter, _timeout, _what, **params):
        self.calls.append(("wait", waiter, *params.values()))

    def names(self):
        return [c[0] for c in self.calls]


def test_the_run_deletes_in_order_and_waits_for_each_step(monkeypatch):
    fake = FakeEks(monkeypatch, found())
    changes, waits, _kept = cluster_cleanup.plan("myeks", cluster_cleanup.inventory(None, None, None, "myeks"))
    fake.calls.clear()
    clients = cluster_cleanup.Clients(None, None, None, None)
    cluster_cleanup.apply(clients, "myeks", changes, waits, Deadline(60))
    done = [c for c in fake.calls if c[0] not in ("describe_nodegroup", "describe_cluster")]
    assert done == [
        ("update_auto_scaling_group", "myeks-ng-self", 0, 0),  # scaled to zero, its nodes waited for
        ("delete_auto_scaling_group", "myeks-ng-self"),
        ("delete_addon", "myeks", "vpc-cni"),
        ("delete_addon", "myeks", "kube-proxy"),
        ("delete_nodegroup", "myeks", "ng-1"),
        ("wait", "nodegroup_deleted", "myeks", "ng-1"),
        ("delete_fargate_profile", "myeks", "fp-1", True),
        ("delete_fargate_profile", "myeks", "fp-2", True),
        ("disassociate", True),
        ("delete_cluster", "myeks"),
        ("wait", "cluster_deleted", "myeks"),
        ("delete_log_group", "/aws/eks/myeks/cluster"),
    ]


def test_a_resumed_run_waits_for_what_is_being_deleted_and_deletes_nothing(monkeypatch):
    inventory = found(
        status="DELETING",
        addons=[],
        nodegroups=[{"nodegroupName": "ng-1", "status": "DELETING", "tags": dict(OWN)}],
        self_managed_nodegroups=[],
        fargate_profiles=[],
        identity_provider_configs=[],
        log_group=None,
    )
    fake = FakeEks(monkeypatch, inventory)
    changes, waits, _kept = cluster_cleanup.plan("myeks", cluster_cleanup.inventory(None, None, None, "myeks"))
    fake.calls.clear()
    cluster_cleanup.apply(cluster_cleanup.Clients(None, None, None, None), "myeks", changes, waits, Deadline(60))
    assert fake.calls == [("wait", "nodegroup_deleted", "myeks", "ng-1"), ("wait", "cluster_deleted", "myeks")]


def test_add_ons_of_a_cluster_kept_are_waited_for(monkeypatch):
    fake = FakeEks(monkeypatch, found(cluster_tags={}, self_managed_nodegroups=[], nodegroups=[], log_group=None))
    changes, waits, _kept = cluster_cleanup.plan("myeks", cluster_cleanup.inventory(None, None, None, "myeks"))
    fake.calls.clear()
    cluster_cleanup.apply(cluster_cleanup.Clients(None, None, None, None), "myeks", changes, waits, Deadline(60))
    assert fake.calls == [
        ("delete_addon", "myeks", "vpc-cni"),
        ("delete_addon", "myeks", "kube-proxy"),
        ("wait", "addon_deleted", "myeks", "vpc-cni"),
        ("wait", "addon_deleted", "myeks", "kube-proxy"),
    ]


class Module:
    def __init__(self, check_mode, **params):
        self.check_mode = check_mode
        self._diff = True
        self.params = dict(cluster_name="myeks", self_managed_nodegroups=True, wait_timeout=60, **params)


@pytest.mark.parametrize("check_mode", [True, False])
def test_ensure_check_mode_reads_only_and_predicts_what_a_run_deletes(monkeypatch, check_mode):
    fake = FakeEks(monkeypatch, found())
    monkeypatch.setattr(common, "client", lambda module, service: service)
    monkeypatch.setattr(common, "raw_client", lambda client: client)
    result = cluster_cleanup.ensure(Module(check_mode))
    mutating = [n for n in fake.names() if n not in ("wait",) and not n.startswith(("describe_", "list_"))]
    if check_mode:
        assert mutating == [] and "wait" not in fake.names()
    else:
        assert "delete_cluster" in mutating
    assert result["changed"] is True
    assert [d["type"] for d in result["deleted"]] == [
        "self_managed_nodegroup", "addon", "addon", "nodegroup", "fargate_profile", "fargate_profile",
        "identity_provider_config", "cluster", "log_group",
    ]  # fmt: skip
    assert result["diff"]["before"]["cluster"] == ["myeks"] and result["diff"]["after"] == {}
    assert result["kept"] == [{"type": "nodegroup", "name": "ng-other",
                               "reason": "not tagged aews.eks/cluster-name: myeks"}]  # fmt: skip
