#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_wait
short_description: Wait for an EKS cluster, nodegroups or add-ons, showing their progress
version_added: 0.1.0
description:
  - "Waits until the cluster, the nodegroups or the add-ons named reach the state asked for, and until every
    update followed has succeeded, printing one line for what is waited for each time its state changes and
    at a steady interval, for example C(cluster myeks: CREATING, 4m10s)."
  - This is an action plugin that runs on the controller; it runs this module, which reads the resources every
    O(delay) seconds until one of them changes (its state, or an update's), at most O(progress_interval) seconds, so
    the module starts once per change rather than once per poll. A failure state (for example C(FAILED),
    C(CREATE_FAILED), C(DEGRADED), an update C(Failed)) ends the wait at once with the health issues or update errors
    AWS reports.
  - The updates in progress of a resource that is C(UPDATING) are followed to their end, so a failed update is
    reported even when the resource itself returns to C(ACTIVE).
  - In check mode the resources are read once and not waited for.
author:
  - aews.eks maintainers (@aews)
options:
  cluster_name:
    description:
      - The name of the cluster. Without O(nodegroups) or O(addons), the cluster is what is waited for.
    type: str
    required: true
  nodegroups:
    description:
      - Names of nodegroups of the cluster to wait for, together.
    type: list
    elements: str
  addons:
    description:
      - Names of add-ons of the cluster to wait for, together.
    type: list
    elements: str
  created_addons:
    description:
      - Names of add-ons waited for in the same wait as O(addons), but only until they are created (as O(state=created)
        says), whatever O(state) is; for example the add-ons made before the nodes, waited for together with those made
        after them.
    type: list
    elements: str
    default: []
  node_security_group_id:
    description:
      - When the cluster is waited for, the shared node security group whose rules with the cluster security group
        (all traffic each way, as M(aews.eks.eks_cluster) adds them with its O(aews.eks.eks_cluster#module:node_security_group_id))
        are added once the cluster is C(ACTIVE), in the run that saw it so; a new cluster has no cluster security group
        before. The result then says C(changed) when rules were added.
    type: str
  state:
    description:
      - V(active) waits for C(ACTIVE).
      - V(created) waits, for add-ons, until they are past C(CREATING) (C(DEGRADED) accepted, as coredns is
        C(DEGRADED) until nodes exist); for a cluster or nodegroups it is the same as V(active).
      - V(deleted) waits until the resources no longer exist.
    type: str
    choices: [active, created, deleted]
    default: active
  updates:
    description:
      - Updates (C(DescribeUpdate)) to follow until they succeed, for example the one a module started with
        C(wait=false). An update of a nodegroup or an add-on names it.
    type: list
    elements: dict
    default: []
    suboptions:
      id:
        description: The update id.
        type: str
        required: true
      nodegroup:
        description: The nodegroup the update belongs to.
        type: str
      addon:
        description: The add-on the update belongs to.
        type: str
  update_ids:
    description:
      - Ids of updates of the one resource waited for (the cluster, or the one nodegroup or add-on named) to
        follow until they succeed, from the C(updates) the modules return after C(wait=false).
    type: list
    elements: str
    default: []
  wait_timeout:
    description:
      - How many seconds to wait in all before failing.
    type: int
    default: 1200
  delay:
    description:
      - Seconds between polls. The E(AEWS_EKS_WAIT_DELAY) environment variable, when set, takes precedence, as
        for every wait of the collection.
      - Without either, 20 for a cluster, 15 for nodegroups and 10 for add-ons.
    type: float
  progress_interval:
    description:
      - Seconds after which the progress line is printed again while nothing changes.
    type: int
    default: 60
  poll_for:
    description:
      - Set by the action plugin. Seconds for which the module reads the resources again, every O(delay) seconds, while
        what it reads is what O(seen) says; V(0) reads them once.
    type: float
    default: 0
  seen:
    description:
      - Set by the action plugin. The resources as last read (the C(signature) a read returns), with O(poll_for).
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reads the resources once, does not wait.
  diff_mode:
    support: none
    description: The module changes nothing.
  action:
    support: full
    description: Runs on the controller as an action plugin.
"""

EXAMPLES = r"""
- name: Create the cluster without waiting in the module
  aews.eks.eks_cluster:
    name: myeks
    role_arn: "{{ cluster_role_arn }}"
    subnet_ids: "{{ subnet_ids }}"
    wait: false

- name: Wait for it, one line per state change and every minute
  aews.eks.eks_wait:
    cluster_name: myeks
    wait_timeout: 1800

- name: Upgrade the control plane, then follow the update
  aews.eks.eks_cluster:
    name: myeks
    version: "1.34"
    wait: false
  register: upgraded

- name: Wait for the version update to succeed
  aews.eks.eks_wait:
    cluster_name: myeks
    update_ids: "{{ upgraded.cluster.updates | selectattr('id', 'defined') | map(attribute='id') | list }}"
    wait_timeout: 3600

- name: Wait for two nodegroups together
  aews.eks.eks_wait:
    cluster_name: myeks
    nodegroups: [ng-1, ng-2]
"""

RETURN = r"""
resources:
  description:
    - The resources waited for as last read, each with C(kind) (C(cluster), C(nodegroup) or C(addon)), C(name),
      C(status) (null when it does not exist), C(health_issues) and C(updates) (the updates followed, each with
      C(id), C(type), C(status), C(errors) and C(params)).
  returned: always
  type: list
  elements: dict
elapsed:
  description: Seconds the wait took.
  returned: always
  type: float
cluster:
  description:
    - When the cluster was waited for and is C(ACTIVE) with no update running, the cluster as
      M(aews.eks.eks_cluster_info) returns it (with the names of its C(nodegroups) and C(addons)), so the wait needs no
      read after it.
  returned: when the cluster was waited for and the wait succeeded
  type: dict
changes:
  description:
    - With O(node_security_group_id), the rules added (in check mode, those that would be), one record per security
      group as M(aews.eks.eks_cluster) returns them.
  returned: with O(node_security_group_id), once the cluster is C(ACTIVE)
  type: list
  elements: dict
security_groups:
  description: With O(node_security_group_id), the shared node security group and the cluster security group after the run.
  returned: with O(node_security_group_id), once the cluster is C(ACTIVE)
  type: list
  elements: dict
signature:
  description: The state of each resource read (its status and those of its updates), compared with O(seen).
  returned: always
  type: list
  elements: str
  sample: ["cluster/myeks=CREATING"]
"""

import time

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks import cluster

ARGUMENT_SPEC = eks.argument_spec(
    [eks.CLUSTER_NAME],
    nodegroups=dict(type="list", elements="str"),
    addons=dict(type="list", elements="str"),
    created_addons=dict(type="list", elements="str", default=[]),
    node_security_group_id=dict(type="str"),
    state=dict(type="str", choices=["active", "created", "deleted"], default="active"),
    updates=dict(
        type="list",
        elements="dict",
        default=[],
        options=dict(id=dict(type="str", required=True), nodegroup=dict(type="str"), addon=dict(type="str")),
    ),
    update_ids=dict(type="list", elements="str", default=[]),
    wait_timeout=dict(type="int", default=1200),
    delay=dict(type="float"),
    progress_interval=dict(type="int", default=60),
    poll_for=dict(type="float", default=0),
    seen=dict(type="list", elements="str", default=[]),
)


def _update(client, cluster_name, update_id, nodegroup=None, addon=None):
    update = eks.api.describe_update(client, cluster_name, update_id, nodegroup_name=nodegroup, addon_name=addon)
    if update is None:
        return {"id": update_id, "type": None, "status": None, "errors": [], "params": []}
    return {
        "id": update_id,
        "type": update.get("type"),
        "status": update.get("status"),
        "errors": eks.to_ansible(update.get("errors") or []),
        "params": eks.to_ansible(update.get("params") or []),
    }


def _resource(client, cluster_name, kind, name, followed):
    """One resource as read now, with the updates followed and those in progress."""
    if kind == "cluster":
        found = eks.api.describe_cluster(client, cluster_name)
        owner = {}
    elif kind == "nodegroup":
        found = eks.api.describe_nodegroup(client, cluster_name, name)
        owner = {"nodegroup": name}
    else:
        found = eks.api.describe_addon(client, cluster_name, name)
        owner = {"addon": name}
    status = (found or {}).get("status")
    mine = (owner.get("nodegroup"), owner.get("addon"))
    ids = list(dict.fromkeys(u["id"] for u in followed if (u.get("nodegroup"), u.get("addon")) == mine))
    if status == "UPDATING":
        # The updates running now are followed too: the caller keeps them until they end.
        for update_id in eks.api.list_updates(
            client, cluster_name, nodegroup_name=owner.get("nodegroup"), addon_name=owner.get("addon")
        ):
            if update_id not in ids:
                update = _update(client, cluster_name, update_id, **owner)
                if update["status"] == "InProgress":
                    ids.append(update_id)
    health = ((found or {}).get("health") or {}).get("issues") or []
    return {
        "kind": kind,
        "name": name,
        "status": status,
        "health_issues": eks.to_ansible(health),
        "updates": [_update(client, cluster_name, update_id, **owner) for update_id in ids],
    }


def poll(module):
    params = module.params
    client = eks.client(module, "eks")
    cluster_name = params["cluster_name"]
    targets = [("nodegroup", n) for n in params.get("nodegroups") or []]
    targets += [("addon", a) for a in params.get("addons") or []]
    created = [a for a in params.get("created_addons") or [] if a not in (params.get("addons") or [])]
    targets += [("addon", a) for a in created]
    if not targets:
        targets = [("cluster", cluster_name)]
    followed = list(params.get("updates") or [])
    if params.get("update_ids"):
        if len(targets) != 1:
            raise eks.EksError(message="update_ids: give them with one resource only; use updates to name the owners")
        kind, name = targets[0]
        owner = {kind: name} if kind != "cluster" else {}
        followed += [dict(owner, id=update_id) for update_id in params["update_ids"]]
    resources = [_resource(client, cluster_name, kind, name, followed) for kind, name in targets]
    # Read again while nothing changed since the caller's last read, within poll_for: one module run per change.
    deadline = time.monotonic() + params["poll_for"]
    delay = max(params["delay"] or 1.0, 0.1)
    while params["seen"] and signature(resources) == params["seen"] and time.monotonic() + delay <= deadline:
        time.sleep(delay)
        resources = [_resource(client, cluster_name, kind, name, followed) for kind, name in targets]
    for resource in resources:
        if resource["kind"] == "addon" and resource["name"] in created:
            resource["goal"] = "created"
    result = dict(changed=False, resources=resources, signature=signature(resources))
    if targets == [("cluster", cluster_name)] and _settled(resources[0]):
        result.update(_cluster_after_wait(module, client, cluster_name))
    return result


def _settled(resource):
    """Whether the cluster read is ACTIVE with every update followed over."""
    return resource["status"] == "ACTIVE" and all(u["status"] == "Successful" for u in resource["updates"])


def _cluster_after_wait(module, client, cluster_name):
    """The cluster as eks_cluster_info returns it and, with node_security_group_id, the rules between its security
    group and that group (added, or in check mode planned), in the run that saw the wait end."""
    found = eks.api.describe_cluster(client, cluster_name)
    if found is None:
        return {}
    outcome = {"changed": False, "changes": [], "cluster": cluster.info_view(client, found)}
    if module.params.get("node_security_group_id"):
        cluster.check_node_security_group(module.params["node_security_group_id"], module.check_mode)
        outcome = cluster.settle_node_rules(module, outcome, cluster.plan_node_rules(module, found))
    else:
        outcome.pop("changes")
    return outcome


def signature(resources):
    """What a read says of each resource: its status and those of its updates (a change of any is a change)."""
    return [
        f"{r['kind']}/{r['name']}={r['status']}" + "".join(f";{u['id']}={u['status']}" for u in r["updates"])
        for r in resources
    ]


def main():
    eks.run_module(ARGUMENT_SPEC, poll)


if __name__ == "__main__":
    main()
