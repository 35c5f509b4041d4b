# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The facade the modules import: shared set-up, errors, waiters and the AWS operation wrappers."""

from __future__ import annotations

from ._eks import api  # noqa: F401
from ._eks.common import IAM_PROPAGATION_SPEC  # noqa: F401
from ._eks.common import WAIT_SPEC  # noqa: F401
from ._eks.common import client  # noqa: F401
from ._eks.common import create_module  # noqa: F401
from ._eks.common import run  # noqa: F401
from ._eks.common import to_ansible  # noqa: F401
from ._eks.errors import EksError  # noqa: F401
from ._eks.waiters import wait  # noqa: F401

__all__ = (
    "EksError",
    "IAM_PROPAGATION_SPEC",
    "WAIT_SPEC",
    "api",
    "client",
    "create_module",
    "run",
    "to_ansible",
    "wait",
)
