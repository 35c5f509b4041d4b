# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The eksctl importer: an eksctl ClusterConfig (eksctl.io/v1alpha5) as the collection's cluster definition (pure),
used by the filter ``aews.eks.eksctl_config``.

Three steps: check the document against eksctl's strict schema, check the values the way eksctl's validation
does, then convert with eksctl's defaults applied. Every problem found is reported at once in one
``EksctlConfigError``, each by its ClusterConfig path.

- ``importer.py``: ``convert`` (the three steps) and the order of the sections' checks, conversions and paths.
- ``schema.py``: eksctl's schema and the check of a document against it (``U(...)``: not supported yet).
- ``messages.py``: ``EksctlConfigError`` and the words the messages share.
- ``common.py``: reading the document, helpers every section uses.
- ``definition_check.py``: the definition's own check over the result, its problems put back on ClusterConfig
  paths.
- One module per section of a ClusterConfig, each with its value checks (``validate...``), its conversion
  (``convert...``) and where its fields come from (``add_paths``, ``*_PATHS``): ``cluster.py`` (metadata,
  network, logging, secrets encryption), ``vpc.py``, ``iam.py``, ``nodegroups.py`` (managedNodeGroups),
  ``addons.py``, ``access.py``, ``fargate.py``.

A new section (self-managed nodeGroups, identityProviders, autoModeConfig, ...): a module with
``validate(cfg, problems)``, ``convert(cfg, result)`` and ``add_paths(cfg, result, paths)`` added to
``VALUE_CHECKS``, ``CONVERSIONS`` and ``PATH_MAPS`` in ``importer.py``; its schema definitions in ``schema.py``
made supported (``U(...)`` taken off); its top-level definition paths in ``importer.TOP_PATHS`` and, when a
definition problem there should not stop the search, its key in ``definition_check.py``.
"""

from __future__ import annotations

from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.importer import convert
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.common import load
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.messages import EksctlConfigError
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.schema import SCHEMA
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.vpc import DEFAULT_VPC_CIDR
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.vpc import NAT
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.nodegroups import AL2_LAST_MINOR
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.nodegroups import DEFAULT_INSTANCE_TYPE
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.nodegroups import DEFAULT_VOLUME
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.nodegroups import TAINT_EFFECTS
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.nodegroups import WINDOWS_AMI_TYPES

__all__ = [
    "AL2_LAST_MINOR",
    "DEFAULT_INSTANCE_TYPE",
    "DEFAULT_VOLUME",
    "DEFAULT_VPC_CIDR",
    "NAT",
    "SCHEMA",
    "TAINT_EFFECTS",
    "WINDOWS_AMI_TYPES",
    "EksctlConfigError",
    "convert",
    "load",
]
