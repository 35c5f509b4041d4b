"""Throttling and server errors on every operation of every service: site.yml converges, creates nothing twice, a
re-run changes nothing and the teardown completes."""

from __future__ import annotations

import uuid

import pytest
from reliability_kit import EXPECTED
from reliability_kit import SITE
from reliability_kit import report
from reliability_kit import TEARDOWN
from reliability_kit import assert_nothing_left
from reliability_kit import aws
from reliability_kit import duplicates
from reliability_kit import inventory
from reliability_kit import run
from reliability_kit import seed

THROTTLE_CODES = {"ec2": "RequestLimitExceeded", "iam": "Throttling", "sts": "Throttling", "eks": "ThrottlingException"}


def faults_seen(local_aws, since):
    """The faults injected since request log entry ``since``, and the index of the next entry."""
    entries = local_aws.get(f"/_aews/requests?since={since}")["requests"]
    return [e for e in entries if e["injected"]], since + len(entries)


# make test-reliability (-n 2 --dist loadgroup): the interruption test on one worker, the others on the other.
@pytest.mark.xdist_group("site-runs")
def test_site_converges_through_throttling_and_server_errors_and_tears_down(local_aws, tmp_path):
    path, definition = seed(tmp_path)
    name = definition["name"]
    local_aws.faults(throttle_rate=0.2, error_rate=0.05, seed=20261128)
    figures = []

    result = run(local_aws, tmp_path, SITE, "-e", f"@{path}")
    assert result.returncode == 0, result.tail()
    faults, logged = faults_seen(local_aws, 0)
    figures.append(("site.yml", result.changed, len(faults), logged))
    # Both kinds of fault, on every service the run calls, throttling with each service's own code.
    for fault in faults:
        if fault["status"] == 500:
            assert fault["error"] in ("InternalError", "InternalFailure"), fault
        else:
            assert fault["error"] == THROTTLE_CODES[fault["service"]], fault
    assert {f["service"] for f in faults} >= {"ec2", "iam", "eks"}
    assert {f["status"] for f in faults} >= {500, 503, 400}

    found = inventory()
    assert duplicates(found) == {}
    assert found == EXPECTED
    # EKS creates carry a client request token (the retried CreateCluster is the same request to EKS).
    token = aws("eks").describe_cluster(name=name)["cluster"].get("clientRequestToken")
    assert token and str(uuid.UUID(token)) == token

    again = run(local_aws, tmp_path, SITE, "-e", f"@{path}")
    assert again.returncode == 0, again.tail()
    assert again.changed == 0, again.changed_tasks()
    faults_before, since = len(faults), logged
    faults, logged = faults_seen(local_aws, since)
    figures.append(("site.yml again", again.changed, len(faults), logged - since))
    assert inventory() == EXPECTED

    teardown = run(local_aws, tmp_path, TEARDOWN, "-e", f"@{path}")
    assert teardown.returncode == 0, teardown.tail()
    faults, logged_end = faults_seen(local_aws, logged)
    figures.append(("teardown.yml", teardown.changed, len(faults), logged_end - logged))
    total = local_aws.get("/_aews/faults")["injected"]
    assert total == faults_before + sum(f[2] for f in figures[1:])
    for run_name, changed, count, calls in figures:
        report(f"faults: {run_name}: changed={changed}, {count} faults injected in {calls} calls, survived")
    report(f"faults: GET /_aews/faults injected={total}")
    assert_nothing_left(name)
