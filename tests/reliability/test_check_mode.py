"""Check mode: on an empty account --check makes no mutating call and predicts, task by task, the changes the real
run then makes; on the converged cluster it predicts none."""

from __future__ import annotations

import re

from reliability_kit import SITE
from reliability_kit import inventory
from reliability_kit import run
from reliability_kit import seed

# Tasks whose result can only exist once an earlier task of the same run has created something: in check mode
# nothing was created, so they are skipped (or have nothing to act on) and their change shows in the prediction
# of the task that creates what they act on.
FOLLOW_UPS = {
    # The cluster security group is made by EKS with the cluster; its rules are predicted with the cluster.
    "aews.eks.cluster : Create | Shared node security group accepts the cluster security group":
        "the cluster security group exists only once EKS has created the cluster",
    "aews.eks.cluster : Create | Cluster security group accepts the nodes":
        "the cluster security group exists only once EKS has created the cluster",
    # Tagging the launch template (its tags on the template itself) follows its creation.
    "aews.eks.nodegroup : Prepare | Tag the launch template":
        "the launch template to tag is created by the task before it",
}  # fmt: skip


# Tasks that stand in, in check mode, for a create that needs a cluster not yet created: their message names what
# the real task creates (its loop items' first word).
STAND_INS = {
    "aews.eks.addons : Create | Predict the add-ons of a cluster still to be created":
        ("aews.eks.addons : Create | Add-ons (waited for below, together)", re.compile(r"Would install (.+) once ")),
    "aews.eks.nodegroup : Create | Predict the nodegroups of a cluster still to be created":
        ("aews.eks.nodegroup : Create | Nodegroups", re.compile(r"Would create nodegroups (.+) once ")),
}  # fmt: skip


TARGETS = {real for real, _names in STAND_INS.values()}


def changes(result):
    """{task: set of changed loop items, or {None} for a task without a loop} of a run; the
    check-mode stand-ins counted as the task they stand in for, with the items their message names."""
    found = {}
    for event in result.events:
        if event.get("status") != "changed":
            continue
        task = event["task"]
        if event["event"] == "item":
            item = str(event["item"])
            # The real add-on and nodegroup tasks' items are named by their first word, as the stand-ins name them.
            found.setdefault(task, set()).add(item.split()[0] if task in TARGETS else item)
        elif event["event"] == "result" and task in STAND_INS:
            real, names = STAND_INS[task]
            found.setdefault(real, set()).update(names.search(event["msg"]).group(1).split(", "))
        elif event["event"] == "result":
            found.setdefault(task, set())
    return {task: items or {None} for task, items in found.items()}


def test_check_mode_predicts_each_change_of_the_real_run_and_none_once_converged(local_aws, tmp_path):
    path, _definition = seed(tmp_path)

    local_aws.clear_requests()
    checked = run(local_aws, tmp_path, SITE, "-e", f"@{path}", "--check")
    assert checked.returncode == 0, checked.tail()
    assert [f"{r['service']}:{r['operation']}" for r in local_aws.requests(mutating=True)] == []
    reads = local_aws.requests(mutating=False)
    assert reads, "check mode looked at nothing"
    assert all(v == [] for v in inventory().values())

    applied = run(local_aws, tmp_path, SITE, "-e", f"@{path}")
    assert applied.returncode == 0, applied.tail()

    predicted, made = changes(checked), changes(applied)
    # Every change check mode predicted was made, item by item ...
    assert {t: i for t, i in predicted.items() if made.get(t) != i} == {}
    # ... and every change made was predicted, but for the follow-ups of a create.
    unpredicted = {t: i for t, i in made.items() if predicted.get(t) != i}
    assert set(unpredicted) == set(FOLLOW_UPS), unpredicted

    local_aws.clear_requests()
    again = run(local_aws, tmp_path, SITE, "-e", f"@{path}", "--check")
    assert again.returncode == 0, again.tail()
    assert again.changed == 0, changes(again)
    assert local_aws.requests(mutating=True) == []
    print(
        f"check mode: {checked.changed} changes predicted on an empty account, {len(reads)} reads, 0 mutating calls;"
        f" real run changed={applied.changed} ({len(FOLLOW_UPS)} follow-ups of creates); converged --check"
        f" changed={again.changed}"
    )
