# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Teardown of the EKS side of a cluster in one run, in eksctl's order.

Self-managed nodegroups (scaled to zero, then deleted), add-ons (vpc-cni first), managed nodegroups (deleted together,
then waited for), Fargate profiles (one at a time, as EKS deletes them), OIDC identity provider configs
(disassociated), the cluster (waited for until gone), then its control plane log group.

Three parts kept apart: ``inventory`` reads what the cluster has (calls ``api`` only); ``plan`` decides what belongs
to the cluster and makes a change record (``change``) of each deletion, and the list of what an earlier run left
being deleted, to be waited for (pure, unit-tested); ``apply`` makes the records in order and waits. Each resource is
deleted only when its own tags name the cluster (``aews.eks/cluster-name``); Fargate profiles and identity provider
configs go with a cluster that carries the tag (EKS refuses to delete a cluster that still has them).
"""

from __future__ import annotations

from . import api
from . import self_managed
from .change import change
from .change import outcome
from .errors import EksError
from .vocabulary import OWNER_TAG
from .vocabulary import kubernetes_cluster_tag
from .waiters import Deadline
from .waiters import wait
from .waiters import wait_updates_in_progress

# The order of the deletions, and the ``type`` each has in the module's ``deleted``.
KINDS = (
    "self_managed_nodegroup",
    "addon",
    "nodegroup",
    "fargate_profile",
    "identity_provider_config",
    "cluster",
    "log_group",
)
# A cluster (or nodegroup) in one of these takes no delete yet: it is waited for first.
BUSY = ("CREATING", "UPDATING", "PENDING")


def log_group_name(cluster):
    """The log group EKS writes the control plane logs of ``cluster`` to."""
    return f"/aws/eks/{cluster}/cluster"


def _owned(tags, cluster):
    return (tags or {}).get(OWNER_TAG) == cluster


# ---------------------------------------------------------------- reads
def inventory(eks, asg, logs, cluster, self_managed_nodegroups=True):
    """What the cluster has, as the deletions need it.

    {"cluster": DescribeCluster or None, "addons": [DescribeAddon], "nodegroups": [DescribeNodegroup],
    "fargate_profiles": [names], "identity_provider_configs": [DescribeIdentityProviderConfig's oidc],
    "self_managed_nodegroups": [DescribeAutoScalingGroups], "log_group": {"name", "tags"} or None}. Fargate profiles
    and identity provider configs are read only for a cluster that carries the ownership tag and is not being
    deleted (a cluster being deleted takes them with it).
    """
    found = {
        "cluster": api.describe_cluster(eks, cluster),
        "addons": [],
        "nodegroups": [],
        "fargate_profiles": [],
        "identity_provider_configs": [],
        "self_managed_nodegroups": [],
        "log_group": None,
    }
    current = found["cluster"]
    if self_managed_nodegroups:
        groups = api.describe_auto_scaling_groups(asg, filters={"tag-key": [kubernetes_cluster_tag(cluster)]})
        found["self_managed_nodegroups"] = [g for g in groups if self_managed.owned_by(g, cluster)]
    if current is not None:
        addons = (api.describe_addon(eks, cluster, n) for n in api.list_addons(eks, cluster))
        found["addons"] = [a for a in addons if a]
        nodegroups = (api.describe_nodegroup(eks, cluster, n) for n in api.list_nodegroups(eks, cluster))
        found["nodegroups"] = [n for n in nodegroups if n]
        if _owned(current.get("tags"), cluster) and current.get("status") != "DELETING":
            found["fargate_profiles"] = api.list_fargate_profiles(eks, cluster)
            configs = api.list_identity_provider_configs(eks, cluster)
            described = (
                api.describe_identity_provider_config(eks, cluster, c["name"]) for c in configs if c.get("type") == "oidc"
            )
            found["identity_provider_configs"] = [c for c in described if c]
    name = log_group_name(cluster)
    if any(g.get("logGroupName") == name for g in api.describe_log_groups(logs, name)):
        found["log_group"] = {"name": name, "tags": api.list_tags_log_group(logs, name) or {}}
    return found


# ---------------------------------------------------------------- pure: what goes, in which order
def _record(kind, name, why, call, params, cluster):
    what = kind.replace("_", " ").replace("addon", "add-on")
    resource = f"{what} {name}" if kind in ("cluster", "log_group") else f"{what} {name} of cluster {cluster}"
    return change(resource, "delete", why, call, params, kind=kind, name=name)


def plan(cluster, found):
    """(change records in the order of the deletions, what an earlier run left being deleted to wait for,
    what is kept) from ``inventory``'s answer (pure).

    Waits are [{"type", "name"}]; kept are [{"type", "name", "reason"}].
    """
    current = found.get("cluster")
    tagged = f"tagged {OWNER_TAG}: {cluster}"
    owned = current is not None and _owned(current.get("tags"), cluster)
    changes, waits, kept = [], [], []
    for group in found.get("self_managed_nodegroups") or []:
        tags = {t["Key"]: t.get("Value", "") for t in group.get("Tags") or []}
        name = tags.get(self_managed.NODEGROUP_TAG) or group["AutoScalingGroupName"]
        desired = {"cluster_name": cluster, "name": name, "group_name": group["AutoScalingGroupName"]}
        for record in self_managed.plan(group, desired):
            record.update(kind="self_managed_nodegroup", name=name, desired=desired)
            changes.append(record)
    addons = [a for a in found.get("addons") or [] if _owned(a.get("tags"), cluster)]
    addons = [a for a in addons if a["addonName"] == "vpc-cni"] + [a for a in addons if a["addonName"] != "vpc-cni"]
    for addon in addons:
        name = addon["addonName"]
        if addon.get("status") == "DELETING":
            waits.append({"type": "addon", "name": name})
        else:
            params = {"cluster_name": cluster, "name": name}
            changes.append(_record("addon", name, tagged, "delete_addon", params, cluster))
    for nodegroup in found.get("nodegroups") or []:
        name = nodegroup["nodegroupName"]
        if not _owned(nodegroup.get("tags"), cluster):
            kept.append({"type": "nodegroup", "name": name, "reason": f"not {tagged}"})
        elif nodegroup.get("status") == "DELETING":
            waits.append({"type": "nodegroup", "name": name})
        else:
            params = {"cluster_name": cluster, "name": name}
            changes.append(_record("nodegroup", name, tagged, "delete_nodegroup", params, cluster))
    if owned and current.get("status") != "DELETING":
        why = f"cluster {cluster} is deleted"
        for name in found.get("fargate_profiles") or []:
            params = {"cluster_name": cluster, "name": name}
            changes.append(_record("fargate_profile", name, why, "delete_fargate_profile", params, cluster))
        for config in found.get("identity_provider_configs") or []:
            name = config["identityProviderConfigName"]
            if config.get("status") != "DELETING":
                params = {"cluster_name": cluster, "name": name}
                record = _record("identity_provider_config", name, why, "disassociate_identity_provider_config",
                                 params, cluster)  # fmt: skip
                record["action"] = "disassociate"
                changes.append(record)
    if current is not None:
        if not owned:
            kept.append({"type": "cluster", "name": cluster, "reason": f"not {tagged}"})
        elif current.get("status") == "DELETING":
            waits.append({"type": "cluster", "name": cluster})
        else:
            changes.append(_record("cluster", cluster, tagged, "delete_cluster", {"name": cluster}, cluster))
    log_group = found.get("log_group")
    if log_group is not None:
        if _owned(log_group.get("tags"), cluster):
            params = {"name": log_group["name"]}
            changes.append(_record("log_group", log_group["name"], tagged, "delete_log_group", params, cluster))
        else:
            kept.append({"type": "log_group", "name": log_group["name"], "reason": f"not {tagged}"})
    return changes, waits, kept


def deleted(changes):
    """What the records delete, as the module returns it: [{"type", "name"}] in order (a self-managed nodegroup's
    scaling to zero is a step of its deletion, not a deletion)."""
    return [{"type": c["kind"], "name": c["name"]} for c in changes if c["action"] in ("delete", "disassociate")]


# ---------------------------------------------------------------- the run (api calls and waits)
class Clients:
    """The clients a run uses: ``eks``, ``asg`` (Auto Scaling), ``logs`` (made by ``common.client``) and the raw
    EKS client the waiters poll with."""

    def __init__(self, eks, asg, logs, raw):
        self.eks, self.asg, self.logs, self.raw = eks, asg, logs, raw


def _wait_cluster_ready(clients, cluster, deadline):
    """Until no update of the cluster runs and it is ACTIVE (EKS refuses to delete a busy cluster)."""
    current = api.describe_cluster(clients.eks, cluster)
    if current is None or current.get("status") not in BUSY:
        return
    wait_updates_in_progress(clients.eks, cluster, deadline, f"cluster {cluster}")
    wait(clients.raw, "cluster_active", deadline.remaining(), f"cluster {cluster} to be ACTIVE", name=cluster)


def apply(clients, cluster, changes, waits, deadline):
    """Make ``changes`` in order and wait as each needs, and for ``waits`` (what an earlier run left being deleted).

    A self-managed nodegroup's nodes are waited for before its group is deleted, and the group until it is gone.
    Add-ons are deleted and not waited for when the cluster is (EKS ends them with it), else waited for. Nodegroups
    are deleted together and waited for before the Fargate profiles; each profile is waited for before the next
    (EKS deletes one profile of a cluster at a time); each disassociation's update is waited for; the cluster is
    waited for until gone; the log group goes last.
    """
    from . import cluster as clusters  # here: imports the Ansible parts the pure part of this file does not need
    from . import fargate
    from . import identity_provider

    by_kind = {kind: [c for c in changes if c["kind"] == kind] for kind in KINDS}
    waiting = {kind: [w["name"] for w in waits if w["type"] == kind] for kind in KINDS}
    groups = {}
    for record in by_kind["self_managed_nodegroup"]:
        groups.setdefault(record["name"], []).append(record)
    for records in groups.values():
        desired = records[0]["desired"]
        self_managed.apply(None, clients.asg, records, desired, deadline.remaining())
        self_managed.wait_deleted(clients.asg, desired["group_name"], deadline.end)
    for record in by_kind["addon"]:
        api.delete_addon(clients.eks, **record["params"])
    cluster_goes = bool(by_kind["cluster"] or waiting["cluster"])
    if not cluster_goes:
        for name in [r["name"] for r in by_kind["addon"]] + waiting["addon"]:
            wait(clients.raw, "addon_deleted", deadline.remaining(), f"add-on {name} of cluster {cluster} to be "
                 "deleted", clusterName=cluster, addonName=name)  # fmt: skip
    for record in by_kind["nodegroup"]:
        # In its turn: an update of the nodegroup under way is waited for first (EKS refuses the delete meanwhile).
        clusters.wait_nodegroup_updates(clients.eks, cluster, record["name"], deadline)
        api.delete_nodegroup(clients.eks, cluster, record["name"])
    deleting = [r["name"] for r in by_kind["nodegroup"]] + waiting["nodegroup"]
    clusters.wait_nodegroups_deleted(clients.raw, cluster, deleting, deadline)
    for record in by_kind["fargate_profile"]:
        fargate.delete_profile(clients.eks, cluster, record["name"], deadline, wait_for=True)
    if by_kind["identity_provider_config"]:
        identity_provider.apply(clients.eks, by_kind["identity_provider_config"], deadline, wait_for=True)
    if by_kind["cluster"]:
        _wait_cluster_ready(clients, cluster, deadline)
        api.delete_cluster(clients.eks, cluster)
    if cluster_goes:
        wait(clients.raw, "cluster_deleted", deadline.remaining(), f"cluster {cluster} to be deleted", name=cluster)
    for record in by_kind["log_group"]:
        api.delete_log_group(clients.logs, record["name"])


def ensure(module):
    """eks_cluster_cleanup: delete what the cluster owns on the EKS side; the outcome (``deleted``, ``waited``,
    ``kept``)."""
    from .common import client  # here: keeps the pure part of this file importable without Ansible
    from .common import raw_client

    params = module.params
    cluster = params["cluster_name"]
    eks = client(module, "eks")
    clients = Clients(eks, client(module, "autoscaling"), client(module, "logs"), raw_client(eks))
    found = inventory(clients.eks, clients.asg, clients.logs, cluster, params["self_managed_nodegroups"])
    changes, waits, kept = plan(cluster, found)
    if not module.check_mode:
        deadline = Deadline(params["wait_timeout"])
        try:
            apply(clients, cluster, changes, waits, deadline)
        except EksError as e:
            e.kwargs.setdefault("planned", deleted(changes))
            raise
    before = {kind: sorted(d["name"] for d in deleted(changes) + waits if d["type"] == kind) for kind in KINDS}
    return outcome(module, "deleted", deleted(changes), changes, before={k: v for k, v in before.items() if v},
                   after={}, waited=waits, kept=kept)  # fmt: skip
