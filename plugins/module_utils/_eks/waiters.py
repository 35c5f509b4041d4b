# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Waiters for EKS resources and updates.

botocore ships EKS waiters for clusters, nodegroups and add-ons, but its NodegroupActive does not
stop on DEGRADED and there is none for DescribeUpdate or for "past CREATING". The waiters here are
botocore waiter models (the same acceptors botocore uses) built from the states of
``vocabulary.WAIT_STATES``, which the eks_wait action plugin reads too: each stops at once on a failure
state, reported with the health issues or update errors from the last response (``WaitFailed``); a wait
that runs out of time raises ``WaitTimeout``.
"""

from __future__ import annotations

import math
import os
import time

from . import api
from .errors import THROTTLING_CODES
from .errors import TRANSIENT_CODES
from .errors import EksError
from .vocabulary import wait_failure
from .vocabulary import wait_success


class WaitFailed(EksError):
    """A wait stopped at once: the resource reached a failure state, or a poll met an error."""


class WaitTimeout(EksError):
    """A wait ran out of time with the resource still on its way."""


# Seconds between polls, per waiter, as a real EKS control plane needs them; AEWS_EKS_WAIT_DELAY
# overrides them all (the local AWS endpoint's transitions take seconds, not minutes).
_DEFAULT_DELAYS = {
    "cluster_active": 20,
    "cluster_deleted": 20,
    "nodegroup_active": 15,
    "nodegroup_deleted": 15,
    "addon_active": 10,
    "addon_created": 5,
    "addon_deleted": 10,
    "update_successful": 15,
    "pod_identity_association_deleted": 5,
    "fargate_profile_deleted": 10,
    # VPC teardown: NAT gateways take about a minute to be deleted; DependencyViolation is tried again this often.
    "nat_gateway_deleted": 15,
    "dependency_retry": 10,
    # The VPC stage's EC2 resources (wait_all): NAT gateways take a minute or two, VPC endpoints about one.
    "nat_gateway_available": 15,
    "vpc_endpoint_available": 10,
}


def _path_acceptors(argument, success, failure, retry=()):
    acceptors = [{"matcher": "path", "argument": argument, "state": "success", "expected": s} for s in success]
    acceptors += [{"matcher": "path", "argument": argument, "state": "failure", "expected": f} for f in failure]
    acceptors += [{"matcher": "path", "argument": argument, "state": "retry", "expected": r} for r in retry]
    return acceptors


_MISSING = {"matcher": "error", "state": "success", "expected": "ResourceNotFoundException"}


def _waiter(operation, argument, kind, goal):
    """``operation`` polled until ``argument`` (the status) is one of the success states of ``kind``'s ``goal``
    (vocabulary.WAIT_STATES), stopped at once by a failure state; a resource gone counts as deleted."""
    acceptors = _path_acceptors(argument, wait_success(kind, goal), wait_failure(kind, goal))
    return {"operation": operation, "acceptors": [_MISSING] + acceptors if goal == "deleted" else acceptors}


_WAITERS = {
    "cluster_active": _waiter("DescribeCluster", "cluster.status", "cluster", "active"),
    "cluster_deleted": _waiter("DescribeCluster", "cluster.status", "cluster", "deleted"),
    "nodegroup_active": _waiter("DescribeNodegroup", "nodegroup.status", "nodegroup", "active"),
    "nodegroup_deleted": _waiter("DescribeNodegroup", "nodegroup.status", "nodegroup", "deleted"),
    "addon_active": _waiter("DescribeAddon", "addon.status", "addon", "active"),
    # Add-ons such as coredns stay DEGRADED until nodes exist: "created" only waits until CREATING is over.
    "addon_created": _waiter("DescribeAddon", "addon.status", "addon", "created"),
    "addon_deleted": _waiter("DescribeAddon", "addon.status", "addon", "deleted"),
    "fargate_profile_deleted": _waiter("DescribeFargateProfile", "fargateProfile.status", "fargate_profile", "deleted"),
    "update_successful": _waiter("DescribeUpdate", "update.status", "update", "successful"),
}


def waiter_delay(name):
    override = os.environ.get("AEWS_EKS_WAIT_DELAY")
    if override:
        return max(float(override), 0.1)
    return _DEFAULT_DELAYS[name]


# A poll answered with throttling or a fault on AWS's side (once botocore's own retries are spent) is one more
# poll, not the end of the wait.
_TRANSIENT = [{"matcher": "error", "state": "retry", "expected": code} for code in THROTTLING_CODES + TRANSIENT_CODES]


def _botocore_waiter():
    # Imported when a wait is built, not with this file (which the filter plugins' module_utils import too); a missing
    # botocore is reported by AnsibleAWSModule before any wait.
    import botocore.waiter

    return botocore.waiter


def _model(name, delay, max_attempts):
    spec = dict(_WAITERS[name], delay=delay, maxAttempts=max_attempts)
    spec["acceptors"] = list(spec["acceptors"]) + _TRANSIENT
    return _botocore_waiter().WaiterModel({"version": 2, "waiters": {name: spec}})


def failure_details(response):
    """Health issues and update errors from a Describe* response, as plain dicts."""
    if not isinstance(response, dict):
        return []
    for key in ("cluster", "nodegroup", "addon"):
        resource = response.get(key)
        if isinstance(resource, dict):
            health = resource.get("health") or {}
            return list(health.get("issues") or [])
    update = response.get("update")
    if isinstance(update, dict):
        return list(update.get("errors") or [])
    return []


def _describe_failure(name, response):
    details = failure_details(response)
    parts = []
    for issue in details:
        code = issue.get("code") or issue.get("errorCode")
        message = issue.get("message") or issue.get("errorMessage")
        resources = issue.get("resourceIds")
        text = f"{code}: {message}" if code else str(message)
        if resources:
            text += f" ({', '.join(resources)})"
        parts.append(text)
    status = None
    for key in ("cluster", "nodegroup", "addon", "update"):
        if isinstance(response, dict) and isinstance(response.get(key), dict):
            status = response[key].get("status")
    if isinstance(response, dict) and "Error" in response:
        parts.append(f"{response['Error'].get('Code')}: {response['Error'].get('Message')}")
    summary = f"status {status}" if status else "a failure state"
    return summary + (": " + "; ".join(parts) if parts else ""), details


def _poll(client, config, params):
    """Poll as botocore's Waiter.wait does: ("success" | "failure" | "timeout", the last response)."""
    from botocore import xform_name

    waiter = _botocore_waiter()
    operation = waiter.NormalizedOperationMethod(getattr(client, xform_name(config.operation)))
    response = {}
    for attempt in range(config.max_attempts):
        if attempt:
            time.sleep(config.delay)
        response = operation(**params)
        state = next((a.state for a in config.acceptors if a.matcher_func(response)), None)
        if state == "success":
            return "success", response
        if state == "failure" or (state is None and waiter.is_valid_waiter_error(response)):
            return "failure", response
    return "timeout", response


def wait(client, waiter_name, timeout, what, /, **params):
    """Wait with waiter ``waiter_name``; raise WaitFailed at once on a failure state, WaitTimeout at the timeout.

    ``client`` is a boto3 client (waiters use it directly, botocore's retry mode covers throttling).
    ``what`` describes the resource for the message, for example "cluster myeks to be ACTIVE".
    The first four are positional-only, and none is called ``name``, so that ``params`` can carry
    DescribeCluster's ``name`` (pylint flags a keyword argument named like a positional-only parameter).
    """
    delay = waiter_delay(waiter_name)
    max_attempts = max(1, int(timeout // delay) + 1)
    config = _model(waiter_name, delay, max_attempts).get_waiter(waiter_name)
    outcome, response = _poll(client, config, params)
    if outcome == "timeout":
        raise WaitTimeout(
            message=f"Timed out after {timeout} seconds waiting for {what}",
            details=failure_details(response),
        )
    if outcome == "failure":
        summary, details = _describe_failure(waiter_name, response)
        raise WaitFailed(message=f"Stopped waiting for {what}: it reached {summary}", details=details)


def wait_all(read, ids, timeout, what, /, *, state, success, failure, failed, delay_name, sleep=time.sleep):
    """Poll until every one of ``ids`` is in a ``success`` state; stop at once when one is in a ``failure`` state.

    For EC2 resources that have no botocore waiter with failure states (NAT gateways, VPC endpoints).
    ``read(ids)`` returns {id: resource} for those found (one not found yet is ``pending``), ``state(resource)`` its
    state; ``failed([(id, state, resource)])`` says what went wrong (``WaitFailed``); ``what`` names the resources
    in the message of a wait out of time (``WaitTimeout``: "NAT gateways not available after 600s: ..."). The pause
    between polls is ``waiter_delay(delay_name)``. Returns {id: state}."""
    if not ids:
        return {}
    deadline = time.monotonic() + max(0, timeout)
    delay = waiter_delay(delay_name)
    while True:
        found = read(ids)
        states = {i: state(found[i]) if i in found else "pending" for i in ids}
        bad = [(i, states[i], found[i]) for i in ids if states[i] in failure]
        if bad:
            raise WaitFailed(message=failed(bad))
        if all(s in success for s in states.values()):
            return states
        if time.monotonic() + delay > deadline:
            raise WaitTimeout(
                message=f"{what} not available after {timeout}s: "
                + ", ".join(f"{i} {s}" for i, s in sorted(states.items()))
                + ". Run again to wait longer (nothing is created twice)."
            )
        sleep(delay)


class Deadline:
    """One wait_timeout shared by every wait of a module run."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self):
        return max(1, math.ceil(self.end - time.monotonic()))


def wait_updates_in_progress(eks, cluster_name, deadline, what, nodegroup_name=None, addon_name=None):
    """Wait for every update of a cluster, nodegroup or add-on still InProgress (EKS runs one at a time).

    ``eks`` is a client made by ``common.client``; ``what`` names the resource for the messages.
    """
    for update_id in api.list_updates(eks, cluster_name, nodegroup_name=nodegroup_name, addon_name=addon_name):
        update = api.describe_update(eks, cluster_name, update_id, nodegroup_name=nodegroup_name, addon_name=addon_name)
        if not update or update.get("status") != "InProgress":
            continue
        params = dict(name=cluster_name, updateId=update_id)
        if nodegroup_name:
            params["nodegroupName"] = nodegroup_name
        if addon_name:
            params["addonName"] = addon_name
        wait(
            getattr(eks, "client", eks),
            "update_successful",
            deadline.remaining(),
            f"update {update_id} ({update.get('type')}) of {what} (in progress before this run)",
            **params,
        )
