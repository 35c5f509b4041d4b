# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""aews.eks.eks_wait: poll EKS resources from the controller and print their progress.

Each poll runs the eks_wait module once (it reads the cluster, nodegroups or add-ons and the updates followed);
this plugin decides from what it read whether the wait is over, failed or goes on, and prints a line per
resource when its state changes and every ``progress_interval`` seconds, for example
``cluster myeks: CREATING, 4m10s``. A normal wait prints no "FAILED - RETRYING" line.
"""

from __future__ import annotations

import os
import time

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.aews.eks.plugins.module_utils._eks.vocabulary import wait_failure
from ansible_collections.aews.eks.plugins.module_utils._eks.vocabulary import wait_success

display = Display()

# Seconds between polls without AEWS_EKS_WAIT_DELAY or a delay option, as real EKS needs them.
DEFAULT_DELAYS = {"cluster": 20, "nodegroup": 15, "addon": 10}

# The statuses that end each wait well and those that stop it at once, as the modules' waiters use them.
KINDS = ("cluster", "nodegroup", "addon")
GOALS = ("active", "created", "deleted")
SUCCESS = {goal: {kind: wait_success(kind, goal) for kind in KINDS} for goal in GOALS}
FAILURE = {goal: {kind: wait_failure(kind, goal) for kind in KINDS} for goal in GOALS}
UPDATE_FAILURES = wait_failure("update", "successful")


def elapsed_text(seconds):
    """4m10s, 35s, 1h02m."""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{(seconds % 3600) // 60:02d}m"


def label(cluster_name, resource):
    if resource["kind"] == "cluster":
        return f"cluster {resource['name']}"
    return f"{'add-on' if resource['kind'] == 'addon' else resource['kind']} {resource['name']} of {cluster_name}"


def update_text(update):
    values = [str(p.get("value")) for p in update.get("params") or [] if p.get("type") in ("Version", "AddonVersion")]
    what = " ".join([update.get("type") or "update"] + values)
    return f"{what} {update.get('status') or 'not found'}"


def state_text(resource):
    """What a resource is doing now: its status and the updates followed that are not over."""
    status = resource.get("status") or "not found"
    running = [update_text(u) for u in resource.get("updates") or [] if u.get("status") != "Successful"]
    return status + (f" ({', '.join(running)})" if running else "")


def issues_text(issues):
    parts = []
    for issue in issues or []:
        code = issue.get("code") or issue.get("error_code")
        message = issue.get("message") or issue.get("error_message")
        text = f"{code}: {message}" if code else str(message)
        if issue.get("resource_ids"):
            text += f" ({', '.join(issue['resource_ids'])})"
        parts.append(text)
    return "; ".join(parts)


def verdict(resource, state):
    """'done', 'waiting' or a failure message for one resource read by the module."""
    kind, status = resource["kind"], resource.get("status")
    for update in resource.get("updates") or []:
        if update.get("status") in UPDATE_FAILURES:
            errors = issues_text(update.get("errors"))
            return f"update {update['id']} ({update_text(update)}){': ' + errors if errors else ''}"
    if state == "deleted":
        if status is None:
            return "done"
    elif status is None:
        return "not found"
    elif status in SUCCESS[state][kind]:
        unfinished = [u for u in resource.get("updates") or [] if u.get("status") != "Successful"]
        if not unfinished:
            return "done"
    if status in FAILURE[state][kind]:
        issues = issues_text(resource.get("health_issues"))
        return f"{status}{': ' + issues if issues else ''}"
    return "waiting"


def poll_delay(value, kinds):
    override = os.environ.get("AEWS_EKS_WAIT_DELAY")
    if override:
        return max(float(override), 0.1)
    if value is not None:
        return max(float(value), 0.1)
    return min(DEFAULT_DELAYS[k] for k in kinds)


class ActionModule(ActionBase):
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = dict(self._task.args)
        cluster_name = args.get("cluster_name")
        state = args.get("state") or "active"
        timeout = int(args.get("wait_timeout") or 1200)
        interval = float(args.get("progress_interval") or 60)
        kinds = (
            ["nodegroup"]
            if args.get("nodegroups")
            else ["addon"] if args.get("addons") or args.get("created_addons") else ["cluster"]
        )
        delay = poll_delay(args.get("delay"), kinds)
        followed = [dict(u) for u in args.get("updates") or []]

        started = time.monotonic()
        shown = {}  # label -> (state text, when shown)
        # The first read at once; then the module reads every delay seconds until something changes (or interval).
        poll_for, seen = 0.0, []
        while True:
            module_args = dict(args, updates=followed, delay=delay, poll_for=poll_for, seen=seen)
            read = self._execute_module(module_name="aews.eks.eks_wait", module_args=module_args, task_vars=task_vars)
            if read.get("failed"):
                return dict(result, **read)
            resources = read.get("resources") or []
            seen = read.get("signature") or []
            now = time.monotonic()
            elapsed = now - started
            for resource in resources:
                owner = {resource["kind"]: resource["name"]} if resource["kind"] != "cluster" else {}
                for update in resource.get("updates") or []:
                    entry = dict(owner, id=update["id"])
                    if entry not in followed:
                        followed.append(entry)
            result.update(resources=resources, elapsed=round(elapsed, 1), changed=bool(read.get("changed")))
            # The cluster at the end of its wait, and the node rules added then (node_security_group_id).
            result.update({key: read[key] for key in ("cluster", "changes", "security_groups") if key in read})

            if self._task.check_mode:
                result["msg"] = (
                    "Check mode: "
                    + "; ".join(f"{label(cluster_name, r)} is {state_text(r)}" for r in resources)
                    + " (not waited for)"
                )
                return result

            # An add-on of created_addons carries its own goal (created).
            verdicts = [(r, verdict(r, r.get("goal") or state)) for r in resources]
            for resource, outcome in verdicts:
                name = label(cluster_name, resource)
                text = (
                    state_text(resource) if resource.get("status") else "deleted" if state == "deleted" else "not found"
                )
                last = shown.get(name)
                if outcome == "done":
                    if last is None or not last[2]:
                        display.display(f"{name}: {text} after {elapsed_text(elapsed)}")
                        shown[name] = (text, now, True)
                elif last is None or last[0] != text or now - last[1] >= interval:
                    display.display(f"{name}: {text}, {elapsed_text(elapsed)}")
                    shown[name] = (text, now, False)
            failures = [(r, o) for r, o in verdicts if o not in ("done", "waiting")]
            if failures:
                result["failed"] = True
                result["msg"] = "; ".join(
                    f"Stopped waiting for {label(cluster_name, r)} to be {r.get('goal') or state}: {o}" for r, o in failures
                )
                result["health_issues"] = [i for r, _o in failures for i in r.get("health_issues") or []]
                return result
            if all(o == "done" for _r, o in verdicts):
                result["msg"] = "; ".join(
                    f"{label(cluster_name, r)}: {state_text(r) if r.get('status') else 'deleted'}" for r in resources
                )
                return result
            if elapsed + delay > timeout:
                result["failed"] = True
                waiting = [r for r, o in verdicts if o == "waiting"]
                result["msg"] = (
                    f"Timed out after {timeout} seconds waiting for "
                    + "; ".join(f"{label(cluster_name, r)} ({state_text(r)})" for r in waiting)
                    + f" to be {state}"
                )
                return result
            poll_for = max(0.0, min(interval, timeout - elapsed - delay))
            if not seen:
                time.sleep(delay)
