"""The eks_wait action plugin's decisions: done, waiting or failed, from what one poll read; the progress text."""

from __future__ import annotations

import pytest

from ansible_collections.aews.eks.plugins.action import eks_wait as w


def resource(kind="cluster", status="ACTIVE", updates=(), issues=()):
    return {"kind": kind, "name": "x", "status": status, "updates": list(updates), "health_issues": list(issues)}


def update(status, kind="VersionUpdate", version="1.34", errors=()):
    return {
        "id": "u-1",
        "type": kind,
        "status": status,
        "params": [{"type": "Version", "value": version}],
        "errors": list(errors),
    }


@pytest.mark.parametrize(
    "res, state, expected",
    [
        (resource(status="CREATING"), "active", "waiting"),
        (resource(status="ACTIVE"), "active", "done"),
        (resource(status="ACTIVE", updates=[update("InProgress")]), "active", "waiting"),
        (resource(status="ACTIVE", updates=[update("Successful")]), "active", "done"),
        (resource("nodegroup", "UPDATING"), "active", "waiting"),
        (resource("addon", "DEGRADED"), "created", "done"),
        (resource("addon", "CREATING"), "created", "waiting"),
        (resource(status=None), "deleted", "done"),
        (resource("nodegroup", "DELETING"), "deleted", "waiting"),
    ],
)
def test_verdict_done_or_waiting(res, state, expected):
    assert w.verdict(res, state) == expected


def test_failure_states_stop_at_once_with_the_health_issues():
    issue = {"code": "AsgInstanceLaunchFailures", "message": "no capacity", "resource_ids": ["asg-1"]}
    assert w.verdict(resource("nodegroup", "CREATE_FAILED", issues=[issue]), "active") == (
        "CREATE_FAILED: AsgInstanceLaunchFailures: no capacity (asg-1)"
    )
    assert w.verdict(resource("addon", "DEGRADED"), "active") == "DEGRADED"
    assert w.verdict(resource(status="FAILED"), "active") == "FAILED"
    assert w.verdict(resource(status=None), "active") == "not found"


def test_a_failed_update_stops_even_when_the_resource_is_active_again():
    failed = update("Failed", errors=[{"error_code": "Unknown", "error_message": "boom"}])
    assert w.verdict(resource(status="ACTIVE", updates=[failed]), "active") == (
        "update u-1 (VersionUpdate 1.34 Failed): Unknown: boom"
    )


def test_progress_text():
    assert w.state_text(resource(status="UPDATING", updates=[update("InProgress")])) == (
        "UPDATING (VersionUpdate 1.34 InProgress)"
    )
    assert w.state_text(resource(status="ACTIVE", updates=[update("Successful")])) == "ACTIVE"
    assert w.label("myeks", resource("nodegroup")) == "nodegroup x of myeks"
    assert w.label("myeks", resource("addon")) == "add-on x of myeks"
    assert [w.elapsed_text(s) for s in (5, 250, 3725)] == ["5s", "4m10s", "1h02m"]


def test_poll_delay_honours_the_environment(monkeypatch):
    monkeypatch.delenv("AEWS_EKS_WAIT_DELAY", raising=False)
    assert w.poll_delay(None, ["cluster"]) == 20
    assert w.poll_delay(3, ["nodegroup"]) == 3
    monkeypatch.setenv("AEWS_EKS_WAIT_DELAY", "0.5")
    assert w.poll_delay(3, ["nodegroup"]) == 0.5
