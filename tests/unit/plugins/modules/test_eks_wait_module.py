"""The eks_wait module's reads: once, or again every delay seconds while nothing changed since the caller's last
read (one module run per change), within poll_for."""

from __future__ import annotations

from types import SimpleNamespace

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
    monkeypatch.setattr(eks_wait.eks, "client", lambda module, service: None)
    monkeypatch.setattr(eks_wait.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(eks_wait.time, "sleep", sleep)
    return slept, made


def module(**params):
    base = dict(cluster_name="myeks", nodegroups=None, addons=None, updates=[], update_ids=[], delay=2.0,
                poll_for=0.0, seen=[])  # fmt: skip
    return SimpleNamespace(params=dict(base, **params))


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
