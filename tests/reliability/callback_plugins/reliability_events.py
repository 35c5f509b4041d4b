# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every task start and task result of a run, one JSON line each, written as they happen to the file named by
AEWS_RELIABILITY_EVENTS (the reliability tests read it while the run goes on, beside the usual output)."""

from __future__ import annotations

DOCUMENTATION = """
name: reliability_events
type: aggregate
short_description: task starts and results as JSON lines, as they happen
description:
  - Writes one JSON object per task start and per task (and loop item) result to the file named by the
    C(AEWS_RELIABILITY_EVENTS) environment variable; nothing when it is not set.
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


def _jsonable(value):
    try:
        return json.loads(json.dumps(value, default=str))
    except (TypeError, ValueError):
        return str(value)


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "reliability_events"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        path = os.environ.get("AEWS_RELIABILITY_EVENTS")
        self._out = open(path, "a", encoding="utf-8") if path else None  # noqa: SIM115 (open for the whole run)

    def _write(self, event):
        if self._out is None:
            return
        event["time"] = time.time()
        self._out.write(json.dumps(event, default=str) + "\n")
        self._out.flush()

    @staticmethod
    def _task(task):
        role = getattr(task, "_role", None)
        return {"task": task.get_name(), "role": role.get_name() if role else None, "action": task.action}

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._write({"event": "start", **self._task(task)})

    def v2_playbook_on_handler_task_start(self, task):
        self._write({"event": "start", **self._task(task)})

    def _result(self, result, status, item=False):
        data = getattr(result, "result", None)
        if data is None:
            data = result._result
        event = {"event": "item" if item else "result", **self._task(result.task), "status": status}
        event["host"] = result.host.get_name()
        event["changed"] = bool(data.get("changed"))
        if item:
            event["item"] = _jsonable(data.get("_ansible_item_label", data.get("item")))
        if status == "failed":
            event["msg"] = str(data.get("msg", ""))[:2000]
        if "diff" in data:
            event["diff"] = _jsonable(data["diff"])
        for key in ("msg", "changes", "updates"):
            if key in data and key not in event and not isinstance(data[key], (bytes,)):
                event[key] = _jsonable(data[key])
        self._write(event)

    def v2_runner_on_ok(self, result):
        self._result(result, "changed" if result.result.get("changed") else "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result(result, "ignored" if ignore_errors else "failed")

    def v2_runner_on_skipped(self, result):
        self._result(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._result(result, "failed")

    def v2_runner_item_on_ok(self, result):
        self._result(result, "changed" if result.result.get("changed") else "ok", item=True)

    def v2_runner_item_on_failed(self, result):
        self._result(result, "failed", item=True)

    def v2_runner_item_on_skipped(self, result):
        self._result(result, "skipped", item=True)

    def v2_playbook_on_stats(self, stats):
        self._write({"event": "stats", "changed": {h: stats.changed.get(h, 0) for h in stats.processed}})
