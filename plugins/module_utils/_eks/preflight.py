# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A normalized cluster definition checked against what AWS offers, before any change (read-only calls only).

What the definition filter cannot know: the Kubernetes versions EKS offers (DescribeClusterVersions), the version
of the cluster if it exists already (DescribeCluster: no downgrade), the add-ons and add-on versions EKS offers for
the Kubernetes version (DescribeAddonVersions) and their configuration schemas (DescribeAddonConfiguration), the
instance types EC2 has and the pods a node of each can run (DescribeInstanceTypes).

Every problem names its field in the user's own input: the definition path (``aews_eks_cluster.nodegroups[1]
.desired_size``), or for a definition converted from an eksctl ClusterConfig, the ClusterConfig path
(``managedNodeGroups[1].desiredCapacity``), from the ``source.paths`` map the conversion leaves in it.
"""

from __future__ import annotations

import re

from . import api
from .addon import has_jsonschema
from .addon import compatible_versions
from .addon import resolve_version
from .addon import schema_errors
from .definition_paths import ref
from .definition_paths import suggestion
from .errors import EksError
from .instance_types import with_max_pods
from .nodegroup_inputs import existing_key_pairs
from .maxpods import MaxPodsError
from .maxpods import max_pods as _max_pods


def _version_tuple(version):
    return tuple(int(n) for n in re.findall(r"\d+", str(version or ""))[:2])


# ---------------------------------------------------------------- pure checks (AWS answers given)
def check_version(definition, versions, problems):
    """The Kubernetes version EKS offers; returns the version the cluster gets (the definition's or EKS's default)."""
    offered = []
    default = None
    for item in versions or []:
        status = (item.get("versionStatus") or item.get("status") or "").upper()
        if status == "UNSUPPORTED" or not item.get("clusterVersion"):
            continue
        offered.append(item["clusterVersion"])
        if item.get("defaultVersion"):
            default = item["clusterVersion"]
    offered = sorted(set(offered), key=_version_tuple)
    version = definition.get("version")
    if version is None:
        return default or (offered[-1] if offered else None)
    if offered and version not in offered:
        problems.append(
            (
                "version",
                f"EKS does not offer Kubernetes {version}; it offers {', '.join(offered)}: set {ref('version')} to one "
                "of them",
            )
        )
        return None
    return version


def check_downgrade(definition, cluster, problems):
    """An existing cluster newer than the definition: EKS cannot downgrade it."""
    version = definition.get("version")
    if not cluster or not version or not cluster.get("version"):
        return
    if _version_tuple(cluster["version"]) > _version_tuple(version):
        problems.append(
            (
                "version",
                f"cannot downgrade the cluster {definition['name']} from {cluster['version']} to {version} (EKS only "
                f"upgrades); if it was upgraded with playbooks/upgrade.yml, set {ref('version')} in the definition to "
                f"the cluster's version {cluster['version']}",
            )
        )


def check_addons(definition, kubernetes_version, catalogue, problems):
    """Each add-on offered for the Kubernetes version, in a version offered for it; returns {index: exact version}."""
    resolved = {}
    names = sorted({entry.get("addonName") for entry in catalogue or [] if entry.get("addonName")})
    for index, addon in enumerate(definition.get("addons") or []):
        name = addon["name"]
        versions = compatible_versions(catalogue, name, kubernetes_version)
        if not versions:
            offered = ", ".join(names) if names else "none"
            problems.append(
                (
                    f"addons[{index}].name",
                    f"EKS offers no add-on {name!r} for Kubernetes {kubernetes_version}{suggestion(name, names)}; "
                    f"it offers {offered}: fix the name or remove the add-on",
                )
            )
            continue
        try:
            resolved[index] = resolve_version(addon.get("version") or "default", versions, name, kubernetes_version)
        except EksError:
            listing = ", ".join(v["version"] + (" (default)" if v["default"] else "") for v in versions)
            problems.append(
                (
                    f"addons[{index}].version",
                    f"{name} {addon.get('version')} is not offered for Kubernetes {kubernetes_version}; it is offered "
                    f"in {listing}: set {ref(f'addons[{index}].version')} to one of them, default or latest",
                )
            )
    return resolved


def check_configuration(definition, index, version, configuration, problems):
    """The add-on's configuration values against the schema of the add-on version."""
    addon = definition["addons"][index]
    values = addon.get("configuration_values")
    if values is None:
        return
    field = f"addons[{index}].configuration_values"
    if isinstance(values, str):
        # The module reads JSON or YAML text; a dict is what the schema checks.
        from .addon import parse_configuration

        try:
            values = parse_configuration(values, field=field)
        except EksError as e:
            problems.append((field, str(e.message).replace(f"{field} ", "", 1)))
            return
    schema = (configuration or {}).get("configurationSchema")
    if not (schema or "").strip():
        if values:
            problems.append((field, f"{addon['name']} {version} takes no configuration values: remove them"))
        return
    try:
        errors = schema_errors(values, schema, field=field)
    except ValueError as e:
        problems.append((field, f"the schema of {addon['name']} {version} cannot be read: {e}"))
        return
    for error in errors:
        text = error["message"]
        allowed = re.match(r"^unknown key \(allowed: (.*)\)$", text)
        if allowed and len(allowed.group(1).split(", ")) > 8:
            # A long list of keys helps less than the closest one and where to read them all.
            keys = allowed.group(1).split(", ")
            text = f"unknown key{suggestion(error['path'].rsplit('.', 1)[-1], keys)}"
        elif allowed:
            text = f"unknown key; the schema takes {allowed.group(1)}"
        problems.append(
            (
                error["path"],
                f"{text}; see the schema of {addon['name']} {version} "
                f"(aws eks describe-addon-configuration --addon-name {addon['name']} --addon-version {version})",
            )
        )


def check_instance_types(definition, records, problems):
    """Each instance type exists; max_pods is at most what each of the nodegroup's types allows."""
    prefix = bool((definition.get("addons_config") or {}).get("prefix_delegation"))
    for index, ng in enumerate(definition.get("nodegroups") or []):
        for t_index, name in enumerate(ng["instance_types"]):
            if records.get(name) is None:
                problems.append(
                    (
                        f"nodegroups[{index}].instance_types[{t_index}]",
                        f"EC2 has no instance type {name!r} in {definition['region']} (nodegroup {ng['name']}): use an "
                        "instance type such as m5.large (aws ec2 describe-instance-types)",
                    )
                )
        wanted = ng.get("max_pods")
        if wanted is None:
            continue
        for name in ng["instance_types"]:
            record = records.get(name)
            if record is None:
                continue
            try:
                allowed = _max_pods(record, prefix)
            except MaxPodsError:
                continue
            if wanted > allowed:
                how = "with prefix delegation" if prefix else f"without {ref('addons_config.prefix_delegation')}"
                problems.append(
                    (
                        f"nodegroups[{index}].max_pods",
                        f"{wanted} is above the {allowed} pods a {name} node can run {how} (VPC CNI limits): set it to "
                        f"{allowed} or less, or leave it out",
                    )
                )
                break


# ---------------------------------------------------------------- the checks, with read-only calls
def run_checks(definition, eks, ec2, key_names=()):
    """(problems, facts) of the definition against AWS; every call is a Describe. ``facts`` holds what the later
    stages use of these reads: the instance types with their max pods and which of the key pairs ``key_names``
    exist (as eks_nodegroup_inputs_info returns them)."""
    problems = []
    versions = api.describe_cluster_versions(eks, clusterType="eks")
    kubernetes_version = check_version(definition, versions, problems)
    cluster = api.describe_cluster(eks, definition["name"])
    check_downgrade(definition, cluster, problems)
    facts = {"kubernetes_version": kubernetes_version, "cluster_version": (cluster or {}).get("version")}
    addons = definition.get("addons") or []
    if addons and kubernetes_version:
        catalogue = api.describe_addon_versions(eks, kubernetesVersion=kubernetes_version)
        resolved = check_addons(definition, kubernetes_version, catalogue, problems)
        facts["addon_versions"] = {addons[i]["name"]: v for i, v in resolved.items()}
        for index, version in resolved.items():
            if addons[index].get("configuration_values") is None:
                continue
            if not has_jsonschema():
                facts.setdefault("skipped", []).append(f"addons[{index}].configuration_values (no jsonschema)")
                continue
            configuration = api.describe_addon_configuration(eks, addons[index]["name"], version)
            check_configuration(definition, index, version, configuration, problems)
    names = list(dict.fromkeys(t for ng in definition.get("nodegroups") or [] for t in ng["instance_types"]))
    records = dict.fromkeys(names)
    try:
        records.update({r["InstanceType"]: r for r in api.describe_instance_types(ec2, names)} if names else {})
    except EksError as e:
        if not (e.code or "").startswith("InvalidInstanceType"):
            raise
        # EC2 refuses the whole call when one type does not exist: ask for each to know which.
        for name in names:
            try:
                found = api.describe_instance_types(ec2, [name])
            except EksError as each:
                if not (each.code or "").startswith("InvalidInstanceType"):
                    raise
                found = []
            records[name] = found[0] if found else None
    check_instance_types(definition, records, problems)
    facts["instance_types"] = []
    for name in (n for n in names if records[n] is not None):
        try:
            facts["instance_types"].append(with_max_pods(records[name]))
        except EksError:
            continue  # its max pods unknown: the nodegroup stage reads it and says so
    facts["key_pairs"] = existing_key_pairs(ec2, key_names)
    return problems, facts
