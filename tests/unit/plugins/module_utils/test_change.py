# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest

from ansible_collections.aews.eks.plugins.module_utils._eks import change as model
from ansible_collections.aews.eks.plugins.module_utils._eks.common import run
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError


class FakeModule:
    def __init__(self, diff=False):
        self._diff = diff
        self.exited = None
        self.failed = None

    def exit_json(self, **kwargs):
        self.exited = kwargs
        raise SystemExit(0)

    def fail_json(self, **kwargs):
        self.failed = kwargs
        raise SystemExit(1)


def test_change_record_copies_params_and_keeps_extra():
    params = {"tags": {"a": "1"}}
    record = model.change("cluster c", "tag", "tags a", call="tag_resource", params=params, arn="arn:x")
    params["tags"]["a"] = "2"
    assert record["params"] == {"tags": {"a": "1"}}
    assert record["arn"] == "arn:x"
    assert model.public(record) == {
        "resource": "cluster c",
        "action": "tag",
        "why": "tags a",
        "call": "tag_resource",
        "params": {"tags": {"a": "1"}},
    }


def test_outcome_changed_follows_changes_and_diff_uses_view():
    module = FakeModule(diff=True)
    changes = [model.change("addon a", "update", "version 1 -> 2", call="update_addon", params={"v": 2})]
    out = model.outcome(module, "addon", {"v": 2, "x": 1}, changes, before={"v": 1, "x": 1},
                        view=lambda r: {"v": r["v"]}, extra_key=3)  # fmt: skip
    assert out["changed"] is True
    assert out["addon"] == {"v": 2, "x": 1}
    assert out["changes"] == [model.public(changes[0])]
    assert out["diff"] == {"before": {"v": 1}, "after": {"v": 2}}
    assert out["extra_key"] == 3


def test_outcome_without_changes_and_without_diff_mode():
    out = model.outcome(FakeModule(), "cluster", {"name": "c"}, [], before={"name": "c"})
    assert out == {"changed": False, "changes": [], "cluster": {"name": "c"}}


def test_outcome_diff_of_a_delete_and_an_explicit_after():
    module = FakeModule(diff=True)
    gone = model.outcome(module, "role", {}, [model.change("role r", "delete", "state=absent")], before={"n": 1})
    assert gone["diff"] == {"before": {"n": 1}, "after": {}}
    shown = model.outcome(module, "cluster", {"s": "UPDATING"}, [], before=None, after={"s": "ACTIVE"})
    assert shown["diff"] == {"before": {}, "after": {"s": "ACTIVE"}}


def test_summary_lines():
    changes = [model.change("nodegroup n", "update", "max_size 3 -> 4"), model.change("nodegroup n", "tag", "")]
    assert model.summary(changes) == ["update nodegroup n: max_size 3 -> 4", "tag nodegroup n"]


def test_apply_runs_in_order():
    seen = []
    changes = [model.change("r", "a", "1"), model.change("r", "b", "2")]
    assert model.apply(changes, lambda c: seen.append(c["action"]) or c["why"]) == ["1", "2"]
    assert seen == ["a", "b"]


def test_run_exits_with_the_returned_result_and_fails_on_eks_error():
    module = FakeModule()
    with pytest.raises(SystemExit):
        run(module, lambda m: model.outcome(m, "thing", {"id": 1}))
    assert module.exited == {"changed": False, "changes": [], "thing": {"id": 1}}

    def broken(m):
        raise EksError(message="name: bad")

    module = FakeModule()
    with pytest.raises(SystemExit):
        run(module, broken)
    assert module.failed["msg"] == "name: bad"
    assert module.exited is None


def test_only_run_exits():
    """No module or module_utils function exits by itself: each returns its result to ``common.run``."""
    import pathlib
    import re

    root = pathlib.Path(model.__file__).resolve().parents[2]  # plugins/
    calls = re.compile(r"\.(exit_json|fail_json)\(")
    found = []
    for path in sorted(root.rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if calls.search(line) and not line.lstrip().startswith("#"):
                found.append(f"{path.relative_to(root)}:{number}")
    assert len(found) == 2 and all(f.startswith("module_utils/_eks/common.py:") for f in found), found
