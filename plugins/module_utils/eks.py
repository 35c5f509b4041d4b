# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The facade the modules import: shared set-up (argument spec fragments, ``run_module``), errors, waiters and the
AWS operation wrappers."""

from __future__ import annotations

from ._eks import api  # noqa: F401
from ._eks.common import IAM_PROPAGATION_SPEC  # noqa: F401
from ._eks.common import WAIT_SPEC  # noqa: F401
from ._eks.common import client  # noqa: F401
from ._eks.common import create_module  # noqa: F401
from ._eks.common import run  # noqa: F401
from ._eks.common import to_ansible  # noqa: F401
from ._eks.errors import EksError  # noqa: F401
from ._eks.module import CLUSTER_NAME  # noqa: F401
from ._eks.module import IAM_PROPAGATION  # noqa: F401
from ._eks.module import RESOURCE  # noqa: F401
from ._eks.module import ROLE  # noqa: F401
from ._eks.module import STATE  # noqa: F401
from ._eks.module import TAGS  # noqa: F401
from ._eks.module import WAIT  # noqa: F401
from ._eks.module import argument_spec  # noqa: F401
from ._eks.module import run_module  # noqa: F401
from ._eks.module import wait_choices  # noqa: F401
from ._eks.waiters import wait  # noqa: F401

__all__ = (
    "CLUSTER_NAME",
    "EksError",
    "IAM_PROPAGATION",
    "IAM_PROPAGATION_SPEC",
    "RESOURCE",
    "ROLE",
    "STATE",
    "TAGS",
    "WAIT",
    "WAIT_SPEC",
    "api",
    "argument_spec",
    "client",
    "create_module",
    "run",
    "run_module",
    "to_ansible",
    "wait",
    "wait_choices",
)
