# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  wait:
    description:
      - Wait for the resource, and for each asynchronous update this run makes, to finish.
      - A failure state (for example C(CREATE_FAILED), C(DEGRADED), or an update with status C(Failed))
        ends the wait at once with the health issues or update errors AWS reports.
      - The seconds between polls can be set for all waits with the E(AEWS_EKS_WAIT_DELAY) environment variable.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait in all before failing.
    type: int
    default: 1200
"""
