# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cluster definition (the value of ``aews_eks_cluster``) checked and normalized (pure), for the filter
``aews.eks.cluster_definition`` and the eksctl importer.

- ``normalize.py``: ``normalize`` (the whole definition, the checks across sections, IPv6's needs).
- ``common.py``: ``DefinitionError``, the keys each section takes (``KEYS``), the checks of a value's type, tags and
  labels within AWS's limits, ``user_path``.
- One module per section: ``vpc.py`` (with the subnet split), ``iam.py``, ``access.py``, ``fargate.py``,
  ``nodegroups.py`` (with ``ami_type`` and the node role's policies), ``addons.py``.
"""

from __future__ import annotations

from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import KEYS
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import DefinitionError
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.common import user_path
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.nodegroups import AMI_TYPES
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.nodegroups import TAINT_EFFECTS
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.nodegroups import ami_type
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.normalize import LOG_TYPES
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.normalize import OWNER_TAG
from ansible_collections.aews.eks.plugins.module_utils._eks.definition.normalize import normalize

__all__ = [
    "AMI_TYPES",
    "KEYS",
    "LOG_TYPES",
    "OWNER_TAG",
    "TAINT_EFFECTS",
    "DefinitionError",
    "ami_type",
    "normalize",
    "user_path",
]
