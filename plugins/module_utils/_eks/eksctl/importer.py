# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An eksctl ClusterConfig (eksctl.io/v1alpha5) as the collection's cluster definition (pure).

Three steps: check the document against eksctl's strict schema (schema.py), check the values the way eksctl's
validation does (each section's validate), then convert with eksctl's defaults applied (each section's convert).
Every problem found is reported at once in one ``EksctlConfigError``."""

from __future__ import annotations

from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl import access
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl import addons
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl import auto_mode
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl import cluster
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl import fargate
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl import iam
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl import identity_providers
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl import nodegroups
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl import self_managed
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl import vpc
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.common import load
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.definition_check import _definition_problems
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.definition_check import _related
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.definition_check import _section
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.messages import EksctlConfigError
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.schema import _check
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.vpc import _subnet_cidr_checks


def convert(config, eks_versions=None, definition_check=None):
    """The cluster definition (the value of ``aews_eks_cluster``) of an eksctl ClusterConfig.

    ``config`` is a dict or YAML/JSON text. ``eks_versions``, when given, lists the Kubernetes versions
    EKS offers; a version outside it is an error. ``definition_check``, when given, is the definition's own
    check: called with a converted definition, it returns its first problem as (definition path, problem),
    the problem naming other fields with ``definition_paths.ref``, or None; it is run again with the part
    holding each problem left out, to find the next. Raises EksctlConfigError with every problem
    found, each by its ClusterConfig path: the schema's, then eksctl's value checks, then the definition's.
    """
    cfg = load(config)
    problems = []
    clean = _check(cfg, "ClusterConfig", "", problems)
    # The sections where a value was dropped: the definition's checks there would judge eksctl's defaults.
    schema_paths = [path for path, _what in problems]
    # A null list entry is only left out: nothing stands in for it, so the rest of its section is still checked.
    schema_sections = {_section(path) for path, what in problems if not what.startswith("is null")}
    values = []
    _validate(clean, values, eks_versions)
    # A value check on what the schema dropped (metadata.region: is required, after it was not a string)
    # repeats the schema's problem.
    problems.extend(
        (path, what)
        for path, what in values
        if not any(path == dropped or path.startswith((dropped + ".", dropped + "[")) for dropped in schema_paths)
    )
    result = _convert(clean)
    if definition_check is not None:
        for path, named, problem in _definition_problems(result, definition_check):
            if _section(path) in schema_sections or any(
                _related(one, reported) for one in [path] + named for reported, _what in problems
            ):
                # Already reported, or a consequence of what is: left for the run after the fix.
                continue
            problems.append((path, problem))
    if problems:
        raise EksctlConfigError(problems)
    return result


# Definition paths -> ClusterConfig paths, for the problems found after the conversion (longest prefix wins).
TOP_PATHS = {
    "": "",
    "name": "metadata.name",
    "region": "metadata.region",
    "version": "metadata.version",
    "tags": "metadata.tags",
    "vpc": "vpc",
    "vpc.availability_zones": "availabilityZones",
    "vpc.nat": "vpc.nat.gateway",
    "vpc.subnet_ids": "vpc.subnets",
    "endpoint": "vpc.clusterEndpoints",
    "endpoint.public_access": "vpc.clusterEndpoints.publicAccess",
    "endpoint.private_access": "vpc.clusterEndpoints.privateAccess",
    "endpoint.public_access_cidrs": "vpc.publicAccessCIDRs",
    "kubernetes_network": "kubernetesNetworkConfig",
    "kubernetes_network.ip_family": "kubernetesNetworkConfig.ipFamily",
    "kubernetes_network.service_ipv4_cidr": "kubernetesNetworkConfig.serviceIPv4CIDR",
    "iam.with_oidc": "iam.withOIDC",
    "iam.vpc_resource_controller_policy": "iam.vpcResourceControllerPolicy",
    "iam.service_accounts": "iam.serviceAccounts",
    "logging": "cloudWatch.clusterLogging",
    "logging.types": "cloudWatch.clusterLogging.enableTypes",
    "logging.retention_days": "cloudWatch.clusterLogging.logRetentionInDays",
    "secrets_encryption": "secretsEncryption",
    "secrets_encryption.key_arn": "secretsEncryption.keyARN",
    "access": "accessConfig",
    "access.authentication_mode": "accessConfig.authenticationMode",
    "access.bootstrap_cluster_creator_admin_permissions": "accessConfig.bootstrapClusterCreatorAdminPermissions",
    "access.entries": "accessConfig.accessEntries",
    "iam.pod_identity_associations": "iam.podIdentityAssociations",
    "iam.fargate_pod_execution_role_arn": "iam.fargatePodExecutionRoleARN",
    "iam.fargate_pod_execution_role_permissions_boundary": "iam.fargatePodExecutionRolePermissionsBoundary",
    "iam.service_role_permissions_boundary": "iam.serviceRolePermissionsBoundary",
    "fargate_profiles": "fargateProfiles",
    "nodegroups": "managedNodeGroups",
    "self_managed_nodegroups": "nodeGroups",
    "addons": "addons",
    "identity_providers": "identityProviders",
    "auto_mode": "autoModeConfig",
    "zonal_shift": "zonalShiftConfig.enabled",
    "control_plane_tier": "controlPlaneScalingConfig.tier",
}


# The sections of a ClusterConfig, each a module of this package with its value checks, its conversion and the
# paths of the definition fields it makes. A new section: a module with validate(cfg, problems),
# convert(cfg, result) and add_paths(cfg, result, paths), added to the three tuples below (and its keys in
# schema.py made supported, its definition keys in TOP_PATHS and definition_check.py).

# eksctl's value checks, once the schema has passed, in the order their problems are reported.
VALUE_CHECKS = (
    vpc.validate_zones,
    cluster.validate_network,
    vpc.validate,
    vpc.validate_private_cluster,
    cluster.validate_logging,
    access.validate_mode,
    cluster.validate_secrets_encryption,
    iam.validate_service_accounts,
    addons.validate,
    access.validate_entries,
    fargate.validate,
    identity_providers.validate,
    auto_mode.validate,
    iam.validate_pod_identity_associations,
    addons.validate_pod_identity_associations,
    nodegroups.validate,
    self_managed.validate,
)
# The definition, key by key in this order.
CONVERSIONS = (
    cluster.convert_metadata,
    vpc.convert,
    cluster.convert_network,
    iam.convert,
    cluster.convert_logging,
    cluster.convert_secrets_encryption,
    access.convert,
    fargate.convert,
    identity_providers.convert,
    auto_mode.convert,
    nodegroups.convert,
    self_managed.convert,
    addons.convert,
    vpc.convert_private_cluster,
)
# Where the fields of the definition's lists come from.
PATH_MAPS = (
    nodegroups.add_paths,
    self_managed.add_paths,
    iam.add_paths,
    access.add_paths,
    fargate.add_paths,
    identity_providers.add_paths,
    auto_mode.add_paths,
    addons.add_paths,
    vpc.add_paths,
    vpc.add_private_cluster_paths,
)


def _validate(cfg, problems, eks_versions=None):
    """eksctl's checks of the values, once the schema has passed."""
    cluster.validate_metadata(cfg, problems, eks_versions)
    for check in VALUE_CHECKS:
        check(cfg, problems)


def _convert(cfg):
    """The definition of a checked ClusterConfig. It never fails: what the checks reported is left out or
    defaulted, so that the definition's own checks can still run over the rest."""
    result = {}
    for conversion in CONVERSIONS:
        conversion(cfg, result)
    result["source"] = {"kind": "eksctl", "paths": source_paths(cfg, result)}
    cidrs = _subnet_cidr_checks(cfg)
    if cidrs:
        result["source"]["subnet_cidrs"] = cidrs
    return result


def source_paths(cfg, result):
    """Where each field of the converted definition comes from in the ClusterConfig."""
    paths = {key: value for key, value in TOP_PATHS.items() if key}
    for add in PATH_MAPS:
        add(cfg, result, paths)
    return paths
