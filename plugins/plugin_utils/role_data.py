# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the roles compute from the definition and from their modules' results, pure and unit-tested (the filters of
plugins/filter/role_data.py): the roles' tasks only pass it on.

Each function checks the shape of what it is given and raises RoleDataError naming the argument; the filters turn it
into a template failure naming the filter (filter_errors.problems_of).
"""

from __future__ import annotations

from ansible_collections.aews.eks.plugins.module_utils._eks.vocabulary import OWNER_TAG
from ansible_collections.aews.eks.plugins.module_utils._eks.vocabulary import is_pending


class RoleDataError(ValueError):
    """A role's data is not what the function needs."""


def _list(value, name):
    if value is None:
        return []
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
        raise RoleDataError(f"{name} must be a list, not {value!r}")
    return list(value)  # a generator (Jinja's map, select) or a dict's values too


def _dict(value, name):
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RoleDataError(f"{name} must be a dict, not {value!r}")
    return value


def _text(value):
    """A value as Jinja's ``~`` writes it."""
    return str(value)


def _get(value, path, default=None):
    """``value``'s ``path`` (keys, or indexes of lists, joined by dots as in Jinja's attribute paths), ``default``
    where one is missing."""
    for key in path.split("."):
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, (list, tuple)) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return default
    return value


# ---------------------------------------------------------------- definition role
def nodegroup_reference_problems(definition, images_found, key_names_found):
    """What the managed nodegroups name that is not there: a custom AMI (``ami``) not among ``images_found`` (image
    ids DescribeImages answered), an existing key pair (``ssh.public_key_name``) not among ``key_names_found``;
    one line each, by the field's path in the user's input (``source.paths``, else aews_eks_cluster's)."""
    definition = _dict(definition, "the definition")
    images = _list(images_found, "images_found")
    keys = _list(key_names_found, "key_names_found")
    paths = _dict(_get(definition, "source.paths") or {}, "source.paths")
    region = _text(definition.get("region"))
    lines = []
    for index, ng in enumerate(_list(definition.get("nodegroups"), "nodegroups")):
        at = f"nodegroups[{index}]"
        ami = _get(ng, "ami")
        if ami and ami not in images:
            lines.append(
                f"{paths.get(at + '.ami', 'aews_eks_cluster.' + at + '.ami')}: no AMI {ami} in {region}"
                " (DescribeImages): give an AMI this account can launch there, or leave ami out for the EKS AMI of"
                " the AMI family"
            )
        key = _get(ng, "ssh.public_key_name")
        if key and key not in keys:
            field = at + ".ssh.public_key_name"
            lines.append(
                f"{paths.get(field, 'aews_eks_cluster.' + field)}: no key pair {key} in {region} (DescribeKeyPairs):"
                " create or import it first, or give the public key (public_key_path) for the collection to import"
            )
    return lines


def with_instance_types(definition, selected):
    """The definition with each nodegroup's ``instance_types`` those its instance selector selected: ``selected`` is
    the results of the loop over the nodegroups (``item.name``, ``instance_types``); the first result of a nodegroup
    counts, the nodegroups without one are left as they are."""
    definition = _dict(definition, "the definition")
    chosen = {}
    for result in _list(selected, "selected"):
        name = _get(result, "item.name")
        if name is None or "instance_types" not in _dict(result, "each result"):
            raise RoleDataError(f"each result of selected needs item.name and instance_types, not {result!r}")
        chosen.setdefault(name, result["instance_types"])
    nodegroups = []
    for ng in _list(definition.get("nodegroups"), "nodegroups"):
        nodegroups.append(dict(ng, instance_types=chosen[ng["name"]]) if ng.get("name") in chosen else ng)
    return dict(definition, nodegroups=nodegroups)


# ---------------------------------------------------------------- ownership
def is_owned(resource, cluster):
    """Whether ``resource`` (with its ``tags`` as a dict) carries the ownership tag naming ``cluster``."""
    return (_get(resource, "tags") or {}).get(OWNER_TAG, "") == cluster


# ---------------------------------------------------------------- addons role
def addon_deletes(addons, cluster):
    """The eks_addons entries deleting the add-ons of ``addons`` (eks_addon_info's) that ``cluster`` owns, vpc-cni
    first (it holds the network interfaces of the pods), the others in their order."""
    owned = [a["name"] for a in _list(addons, "the add-ons") if is_owned(a, cluster)]
    ordered = [n for n in owned if n == "vpc-cni"] + [n for n in owned if n != "vpc-cni"]
    return [{"name": name, "state": "absent"} for name in ordered]


def _first(results, path, value, attribute, what):
    """The ``attribute`` of the first of ``results`` whose ``path`` is ``value`` and that has it (null as given)."""
    missing = object()
    for result in results:
        if _get(result, path) == value and _get(result, attribute, missing) is not missing:
            return _get(result, attribute)
    raise RoleDataError(f"{what}: no result of the task that makes it")


def addon_entries(addons, cluster, tags, irsa_roles=None, pod_identity_roles=None, versions=None):
    """The eks_addons entries converging ``addons`` (the definition's): version (the exact one of ``versions``, by
    name, when it has the add-on, else the definition's), conflicts, the cluster's ``tags``
    with the add-on's and its Name, configuration values when given, the ARN of its IRSA role (``irsa_roles``: the
    results of the eks_irsa loop over the add-ons, by ``item.name``) when it needs one, and its pod identity
    associations with their role's ARN (given, or from ``pod_identity_roles``: the results of the eks_iam_role loop
    over the add-ons' associations, by ``item.1.role_name``)."""
    tags = _dict(tags, "tags")
    irsa = _list(irsa_roles, "irsa_roles")
    pod_roles = _list(pod_identity_roles, "pod_identity_roles")
    exact = _dict(versions, "versions")
    entries = []
    for addon in _list(addons, "the add-ons"):
        addon = _dict(addon, "each add-on")
        associations = []
        for association in _list(addon.get("pod_identity_associations"), "pod_identity_associations"):
            role_arn = association.get("role_arn") or _first(
                pod_roles, "item.1.role_name", association.get("role_name"), "arn",
                f"add-on {addon.get('name')}: the pod identity role {association.get('role_name')}",
            )  # fmt: skip
            associations.append({"service_account": association.get("service_account"), "role_arn": role_arn})
        entry = {
            "name": addon.get("name"),
            "version": exact[addon.get("name")] if addon.get("name") in exact else addon.get("version"),
            "resolve_conflicts": addon.get("resolve_conflicts"),
            "tags": {**tags, **_dict(addon.get("tags"), "tags of an add-on"), "Name": f"{cluster}-{addon.get('name')}"},
            "purge_tags": False,
        }
        if addon.get("configuration_values") is not None:
            entry["configuration_values"] = addon["configuration_values"]
        if _get(addon, "service_account_role.needed"):
            entry["service_account_role_arn"] = _first(
                irsa, "item.name", addon.get("name"), "role.arn", f"add-on {addon.get('name')}: the IRSA role"
            )
        if associations:
            entry["pod_identity_associations"] = associations
        entries.append(entry)
    return entries


# ---------------------------------------------------------------- waits
def wait_updates(updates, kind, only=None):
    """What aews.eks.eks_wait follows of ``updates`` (a module's, each naming its ``kind`` resource): ``{kind: name,
    'id': id}`` each, only those of the resources named in ``only`` when it is given."""
    names = None if only is None else _list(only, "only")
    out = []
    for update in _list(updates, "the updates"):
        update = _dict(update, "each update")
        if kind not in update or "id" not in update:
            raise RoleDataError(f"each update needs {kind} and id, not {update!r}")
        if names is None or update[kind] in names:
            out.append({kind: update[kind], "id": update["id"]})
    return out


def loop_wait_updates(results, kind):
    """What aews.eks.eks_wait follows of the updates of a loop's ``results`` (each with its ``updates`` and the
    ``item.name`` of its ``kind`` resource): ``{kind: item.name, 'id': id}`` each, in order."""
    out = []
    for result in _list(results, "the results"):
        for update in _list(_get(result, "updates"), "updates"):
            out.append({kind: _get(result, "item.name"), "id": _get(update, "id")})
    return out


# The key naming each kind of resource in what its module returns.
NAME_KEYS = {"nodegroup": "nodegroup_name", "addon": "name"}


def with_waited_status(items, waited, kind="nodegroup"):
    """``items`` (eks_nodegroup's nodegroups, or with ``kind='addon'`` eks_addons' add-ons) with the status
    aews.eks.eks_wait last read of each (its ``resources``), when it read one."""
    if kind not in NAME_KEYS:
        raise RoleDataError(f"kind must be one of {', '.join(NAME_KEYS)}, not {kind!r}")
    status = {
        r.get("name"): r.get("status")
        for r in _list(waited, "the resources waited for")
        if _dict(r, "each resource").get("kind") == kind
    }
    out = []
    for item in _list(items, f"the {kind}s"):
        now = status.get(_dict(item, f"each {kind}").get(NAME_KEYS[kind]))
        out.append(dict(item, status=now) if now else item)
    return out


def addon_waits(run, addons):
    """What aews.eks.eks_wait waits for after an eks_addons ``run`` (its ``results`` and ``updates``; {} for none):
    {'active': names, 'created': names, 'updates': [{'addon', 'id'}]}: each add-on of the run, under the wait its
    definition asks for (``addons``, the definition's, each with its ``wait``: created or active), but those the run
    left ACTIVE without starting an update (and those it failed, whose failure the run reported)."""
    wanted = {}
    for addon in _list(addons, "the add-ons"):
        addon = _dict(addon, "each add-on")
        wanted[addon.get("name")] = addon.get("wait") or "active"
    run = _dict(run, "the add-on run")
    updates = wait_updates(run.get("updates"), "addon")
    updated = {u["addon"] for u in updates}
    out = {"active": [], "created": [], "updates": updates}
    for result in _list(run.get("results"), "the run's results"):
        result = _dict(result, "each result")
        name = result.get("name") or (result.get("addon") or {}).get("name")
        if name not in wanted or result.get("failed") or "addon" not in result:
            continue
        if name in updated or (result.get("addon") or {}).get("status") != "ACTIVE":
            out["created" if wanted[name] == "created" else "active"].append(name)
    return out


def known_nodegroup_inputs(definition, offered, subnet_ids, free_addresses):
    """What the nodegroup stage reads (eks_nodegroup_inputs_info's instance_types, key_pairs and subnets) when the
    play has read it already, else None: ``offered`` (the definition check's, of this cluster) has every nodegroup's
    first instance type, and ``free_addresses`` (subnet id -> free addresses, the vpc role's) every subnet of
    ``subnet_ids`` (public and private, zone -> id) but those check mode has still to make (pending)."""
    definition = _dict(definition, "the definition")
    offered = _dict(offered, "offered")
    free = _dict(free_addresses, "free_addresses")
    ids = []
    for side in ("public", "private"):
        ids += [i for i in _dict(_dict(subnet_ids, "subnet_ids").get(side), "subnet_ids").values() if not is_pending(i)]
    types = {
        t[0]
        for t in (_list(ng.get("instance_types"), "instance_types") for ng in definition.get("nodegroups") or [])
        if t
    }
    if offered.get("name", "") != definition.get("name") or "instance_types" not in offered:
        return None
    if types - {t.get("instance_type") for t in _list(offered["instance_types"], "instance_types")}:
        return None
    if set(ids) - set(free):
        return None
    return {
        "instance_types": offered["instance_types"],
        "key_pairs": offered.get("key_pairs"),
        "subnets": [{"subnet_id": k, "available_ip_address_count": v} for k, v in free.items() if k in ids],
    }


# ---------------------------------------------------------------- security groups
SSH_PORT = 22


def ssh_rules(nodegroup, vpc_cidr, module="eks_security_groups"):
    """The ingress rules of a nodegroup's SSH security group, as eksctl makes them: from its
    ``ssh.source_security_group_ids``, else from the VPC's CIDR for a nodegroup in private subnets, else from
    anywhere (IPv4 and IPv6); written for aews.eks.eks_security_groups or amazon.aws.ec2_security_group
    (``module``)."""
    if module not in ("eks_security_groups", "ec2_security_group"):
        raise RoleDataError(f"module must be eks_security_groups or ec2_security_group, not {module!r}")
    nodegroup = _dict(nodegroup, "the nodegroup")
    sources = [("group_id", g, "SSH") for g in _list(_get(nodegroup, "ssh.source_security_group_ids"), "ssh")]
    if not sources and nodegroup.get("private_networking"):
        sources = [("cidr_ip", vpc_cidr, "SSH from the VPC")]
    elif not sources:
        sources = [("cidr_ip", "0.0.0.0/0", "SSH"), ("cidr_ipv6", "::/0", "SSH")]
    if module == "ec2_security_group":
        return [{"proto": "tcp", "ports": [SSH_PORT], key: value, "rule_desc": why} for key, value, why in sources]
    return [{"protocol": "tcp", "from_port": SSH_PORT, key: value, "description": why} for key, value, why in sources]


def node_role_name(cluster, nodegroup):
    """The node IAM role of a managed nodegroup: CLUSTER-NODEGROUP-node-role, cut to IAM's 64 characters."""
    return f"{cluster}-{nodegroup}-node-role"[:64]


def node_roles(definition):
    """The node IAM roles of the definition's managed nodegroups without a launch template of their own (those get
    theirs with the template's checks), as aews.eks.eks_iam_role takes a role (its additional_roles): trusted by
    EC2, the nodegroup's managed and inline policies (the only ones), the cluster's tags, its owner tag and a Name."""
    definition = _dict(definition, "the definition")
    cluster = _text(definition.get("name"))
    tags = dict(_dict(definition.get("tags") or {}, "tags"), **_dict(definition.get("owner_tag") or {}, "owner_tag"))
    roles = []
    for nodegroup in _list(definition.get("nodegroups"), "nodegroups"):
        nodegroup = _dict(nodegroup, "a nodegroup")
        if nodegroup.get("launch_template"):
            continue
        name = node_role_name(cluster, _text(nodegroup.get("name")))
        role = _dict(nodegroup.get("node_role") or {}, "node_role")
        roles.append(
            {
                "name": name,
                "description": f"Nodes of {cluster} nodegroup {nodegroup.get('name')}",
                "trusted_service": "ec2.amazonaws.com",
                "managed_policy_arns": list(role.get("managed_policy_arns") or []),
                "inline_policies": dict(role.get("inline_policies") or {}),
                "purge_policies": True,
                "tags": dict(tags, Name=name),
            }
        )
    return roles


def vpc_security_groups(definition, prefix, tags):
    """The groups the vpc role converges with aews.eks.eks_security_groups: the control-plane and shared node groups
    of ``prefix``, and the SSH group of each managed nodegroup that allows SSH without a launch template of its own;
    each with ``tags`` and its Name."""
    definition = _dict(definition, "the definition")
    tags = _dict(tags, "tags")
    groups = [
        {
            "name": f"{prefix}-control-plane",
            "description": f"Communication between the control plane and worker nodegroups of {prefix}",
            "tags": dict(tags, Name=f"{prefix}-control-plane"),
        },
        {
            "name": f"{prefix}-shared-nodes",
            "description": f"Communication between all nodes of {prefix}",
            "tags": dict(tags, Name=f"{prefix}-shared-nodes"),
            "rules": [{"group_name": f"{prefix}-shared-nodes", "description": "Nodes to nodes"}],
        },
    ]
    for ng in _list(definition.get("nodegroups"), "nodegroups"):
        if not _get(ng, "ssh.allow") or ng.get("launch_template"):
            continue
        name = f"{prefix}-{ng['name']}-remote-access"
        groups.append({
            "name": name,
            "purge_rules": True,
            "rules": ssh_rules(ng, _get(definition, "vpc.cidr")),
            "description": f"SSH to the nodes of {prefix} nodegroup {ng['name']}",
            "tags": dict(tags, Name=name),
        })  # fmt: skip
    return groups


# ---------------------------------------------------------------- cluster role
def cluster_summary(definition, cluster=None, nodegroups=None, addons=None):
    """The lines the cluster role's summary shows: the cluster (``cluster`` as eks_cluster_info returns it, {} when
    it is still to be made), its endpoint, each nodegroup and add-on, and how to write a kubeconfig."""
    definition = _dict(definition, "the definition")
    cluster = _dict(cluster, "cluster")
    name, region = _text(definition.get("name")), _text(definition.get("region"))
    version = cluster.get("version") or definition.get("version") or "EKS default"
    lines = [
        f"Cluster {name} in {region}: {_text(cluster.get('status', 'to be created'))}, Kubernetes {_text(version)}",
        f"Endpoint: {_text(cluster.get('endpoint') or '-')}",
    ]
    for ng in _list(nodegroups, "nodegroups"):
        scaling = _dict(ng.get("scaling_config"), "scaling_config")
        lines.append(
            f"Nodegroup {_text(ng.get('nodegroup_name'))}: {_text(ng.get('status'))},"
            f" {','.join(_text(t) for t in ng.get('instance_types') or [])}, min/desired/max"
            f" {_text(scaling.get('min_size'))}/{_text(scaling.get('desired_size'))}/{_text(scaling.get('max_size'))}"
        )
    for addon in _list(addons, "addons"):
        lines.append(f"Add-on {_text(addon.get('name'))} {_text(addon.get('version'))}: {_text(addon.get('status'))}")
    lines.append(
        f"Kubeconfig: aws eks update-kubeconfig --name {name} --region {region}  (or the aews.eks.eks_kubeconfig module)"
    )
    return lines
