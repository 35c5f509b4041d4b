# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Several add-ons of one cluster in one run (eks_addons): each brought in line by ``addon.reconcile`` with one
client and the cluster described once, the outcomes returned together."""

from __future__ import annotations

from . import addon
from . import change as model
from .common import client
from .errors import EksError
from .module import RESOURCE

# Each add-on's options: eks_addon's, but the cluster and the wait, which are the run's.
ADDON_SPEC = dict(
    name=dict(type="str", required=True, aliases=["addon_name"]),
    version=dict(type="str"),
    configuration_values=dict(type="raw"),
    resolve_conflicts=dict(type="str", choices=["none", "overwrite", "preserve"]),
    service_account_role_arn=dict(type="str"),
    pod_identity_associations=dict(
        type="list",
        elements="dict",
        options=dict(
            service_account=dict(type="str", required=True),
            role_arn=dict(type="str", required=True),
        ),
    ),
    preserve=dict(type="bool", default=False),
    **RESOURCE,
)


def addon_params(params, entry):
    """One add-on's eks_addon params: its entry with the run's cluster and wait (pure)."""
    return dict(
        entry,
        cluster_name=params["cluster_name"],
        wait=params["wait"],
        wait_timeout=params["wait_timeout"],
        iam_propagation_timeout=params.get("iam_propagation_timeout"),
    )


def check_all(params):
    """Every add-on's input checked before any AWS call; an error names the entry (addons[1] (coredns): ...)."""
    seen = set()
    for index, entry in enumerate(params["addons"]):
        name = entry["name"]
        if name in seen:
            raise EksError(message=f"addons[{index}]: add-on {name} is listed twice")
        seen.add(name)
        try:
            addon.validate_params(addon_params(params, entry))
        except EksError as e:
            raise EksError(message=f"addons[{index}] ({name}): {e}") from None


def reconcile_all(module):
    params = module.params
    check_all(params)
    eks = client(module, "eks")
    cluster_name = params["cluster_name"]
    # The cluster described once, and only when an add-on needs it (an installed add-on tells it exists); the add-on
    # versions of its Kubernetes version read once for all the add-ons whose version is resolved.
    reads = addon.ClusterReads(eks, cluster_name, shared_catalogue=True)
    results, failures = [], []
    for entry in params["addons"]:
        try:
            result = addon.reconcile(module, eks, addon_params(params, entry), cluster=reads)
        except EksError as e:
            if reads.missing:
                raise EksError(message=f"Cluster {cluster_name} does not exist") from None
            # One add-on failing does not stop the others (as a loop of eks_addon); the run fails at the end.
            failures.append(f"add-on {entry['name']}: {e}")
            result = dict(e.kwargs)
            result.update(failed=True, msg=str(e), changed=False, changes=[], addon={}, updates=[])
        results.append(dict(result, name=entry["name"]))
    changes = [c for r in results for c in r["changes"]]
    updates = [dict(u, addon=r["name"]) for r in results for u in r.get("updates") or []]
    if failures:
        raise EksError(message="; ".join(failures), changed=bool(changes), changes=changes, results=results,
                       updates=updates)  # fmt: skip
    # The diff: each add-on's own, by name.
    before = {r["name"]: r["diff"]["before"] for r in results if r.get("diff")}
    after = {r["name"]: r["diff"]["after"] for r in results if r.get("diff")}
    found = {r["name"]: r["addon"] for r in results}
    return model.outcome(module, "addons", found, changes, before=before, after=after, results=results, updates=updates)
