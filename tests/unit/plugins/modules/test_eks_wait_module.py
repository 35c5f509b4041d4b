"""The eks_wait module's reads: once, or again every delay seconds while nothing changed since the caller's last
read (one module run per change), within poll_for; the cluster at the end of its wait, with the node rules settled
then (fake AWS)."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import pytest

from ansible_collections.aews.eks.plugins.module_utils._eks import cluster as c
from ansible_collections.aews.eks.plugins.modules import eks_wait


def reads(monkeypatch, statuses):
    """The cluster's status at each read, from ``statuses``; the sleeps and the reads made."""
    clock, slept, made = [0.0], [], []

    def resource(_client, cluster_name, kind, name, followed):
        made.append(name)
        status = statuses[min(len(made), len(statuses)) - 1]
        return {"kind": kind, "name": name, "status": status, "health_issues": [], "updates": []}

    def sleep(seconds):
        slept.append(seconds)
        clock[0] += seconds

    monkeypatch.setattr(eks_wait, "_resource", resource)
    # The cluster's read at the end of the wait, recorded with the status that ended it.
    monkeypatch.setattr(eks_wait, "_cluster_after_wait", lambda m, client, name: {"cluster": {"name": name}})
    monkeypatch.setattr(eks_wait.eks, "client", lambda module, service: None)
    monkeypatch.setattr(eks_wait.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(eks_wait.time, "sleep", sleep)
    return slept, made


def module(check_mode=False, **params):
    base = dict(cluster_name="myeks", nodegroups=None, addons=None, created_addons=[], updates=[], update_ids=[],
                delay=2.0, poll_for=0.0, seen=[], node_security_group_id=None)  # fmt: skip
    return SimpleNamespace(params=dict(base, **params), check_mode=check_mode, _diff=False)


def test_without_what_was_seen_it_reads_once(monkeypatch):
    slept, made = reads(monkeypatch, ["CREATING"])
    result = eks_wait.poll(module(poll_for=60.0))
    assert made == ["myeks"] and slept == []
    assert result["signature"] == ["cluster/myeks=CREATING"]


def test_it_reads_again_until_something_changes(monkeypatch):
    slept, made = reads(monkeypatch, ["CREATING", "CREATING", "CREATING", "ACTIVE"])
    result = eks_wait.poll(module(poll_for=60.0, seen=["cluster/myeks=CREATING"]))
    assert len(made) == 4 and slept == [2.0, 2.0, 2.0]
    assert [r["status"] for r in result["resources"]] == ["ACTIVE"]
    assert result["signature"] == ["cluster/myeks=ACTIVE"]


def test_a_change_since_the_callers_read_returns_at_once(monkeypatch):
    slept, made = reads(monkeypatch, ["ACTIVE"])
    eks_wait.poll(module(poll_for=60.0, seen=["cluster/myeks=CREATING"]))
    assert len(made) == 1 and slept == []


def test_nothing_changing_it_returns_within_poll_for(monkeypatch):
    slept, made = reads(monkeypatch, ["CREATING"])
    result = eks_wait.poll(module(poll_for=5.0, seen=["cluster/myeks=CREATING"]))
    assert slept == [2.0, 2.0] and len(made) == 3
    assert result["signature"] == ["cluster/myeks=CREATING"]


def test_an_update_changing_is_a_change():
    resource = {"kind": "nodegroup", "name": "ng", "status": "UPDATING", "health_issues": [],
                "updates": [{"id": "u-1", "status": "InProgress"}]}  # fmt: skip
    before = eks_wait.signature([resource])
    resource["updates"][0]["status"] = "Successful"
    assert before == ["nodegroup/ng=UPDATING;u-1=InProgress"]
    assert eks_wait.signature([resource]) != before


def test_the_cluster_is_returned_only_once_the_wait_for_it_is_over(monkeypatch):
    reads(monkeypatch, ["CREATING", "ACTIVE"])
    creating = eks_wait.poll(module())
    assert "cluster" not in creating
    active = eks_wait.poll(module(poll_for=60.0, seen=["cluster/myeks=CREATING"]))
    assert active["cluster"] == {"name": "myeks"}


def test_created_addons_are_waited_for_together_with_their_own_goal(monkeypatch):
    reads(monkeypatch, ["CREATING"])
    result = eks_wait.poll(module(addons=["metrics-server"], created_addons=["coredns", "metrics-server"]))
    assert [(r["name"], r.get("goal")) for r in result["resources"]] == [("metrics-server", None), ("coredns", "created")]
    assert "cluster" not in result


NODES = "sg-0nodes"
CLUSTER_SG = "sg-0cluster"
CLUSTER = {
    "name": "myeks",
    "status": "ACTIVE",
    "version": "1.33",
    "resourcesVpcConfig": {"vpcId": "vpc-1", "subnetIds": ["subnet-a"], "clusterSecurityGroupId": CLUSTER_SG},
}


class Aws:
    """The EKS reads at the end of a cluster's wait; the node rules' own reads and writes are cluster.py's (tested in
    test_cluster_node_rules.py): recorded here as what the wait hands them."""

    def __init__(self, monkeypatch):
        self.rules = []
        monkeypatch.setattr(c.api, "describe_cluster", lambda eks, name: copy.deepcopy(CLUSTER))
        monkeypatch.setattr(c.api, "list_nodegroups", lambda eks, name: ["ng-1"])
        monkeypatch.setattr(c.api, "list_addons", lambda eks, name: ["coredns", "vpc-cni"])
        monkeypatch.setattr(c, "plan_node_rules", self.plan)
        monkeypatch.setattr(c, "settle_node_rules", self.settle)

    def plan(self, module, cluster):
        self.rules.append(("plan", module.params["node_security_group_id"], cluster["status"],
                           cluster["resourcesVpcConfig"]["clusterSecurityGroupId"]))  # fmt: skip
        return "planned"

    def settle(self, module, result, rules):
        self.rules.append(("settle", rules, module.check_mode))
        return dict(result, changed=True, changes=[{"resource": "security group rules"}], security_groups=[])


def test_the_cluster_after_its_wait_is_as_eks_cluster_info_returns_it(monkeypatch):
    aws = Aws(monkeypatch)
    result = eks_wait._cluster_after_wait(module(), "eks", "myeks")
    assert result["cluster"]["name"] == "myeks" and result["cluster"]["status"] == "ACTIVE"
    assert result["cluster"]["nodegroups"] == ["ng-1"] and result["cluster"]["addons"] == ["coredns", "vpc-cni"]
    assert result["cluster"]["resources_vpc_config"]["cluster_security_group_id"] == CLUSTER_SG
    assert result["changed"] is False and "changes" not in result
    assert aws.rules == []  # without node_security_group_id, no rule is looked at


def test_the_node_rules_are_settled_with_the_cluster_the_wait_saw_active(monkeypatch):
    aws = Aws(monkeypatch)
    result = eks_wait._cluster_after_wait(module(node_security_group_id=NODES), "eks", "myeks")
    assert aws.rules == [("plan", NODES, "ACTIVE", CLUSTER_SG), ("settle", "planned", False)]
    assert result["changed"] is True and result["changes"] == [{"resource": "security group rules"}]
    assert result["cluster"]["name"] == "myeks" and result["security_groups"] == []

    aws.rules.clear()
    eks_wait._cluster_after_wait(module(check_mode=True, node_security_group_id=NODES), "eks", "myeks")
    assert aws.rules[-1] == ("settle", "planned", True)  # check mode: cluster.py predicts, adds nothing


def test_a_node_group_that_is_no_security_group_id_is_refused(monkeypatch):
    Aws(monkeypatch)
    with pytest.raises(eks_wait.eks.EksError, match="node_security_group_id"):
        eks_wait._cluster_after_wait(module(node_security_group_id="nodes"), "eks", "myeks")
