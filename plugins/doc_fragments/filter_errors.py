# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # The errors option of the filters that check a definition (plugin_utils/filter_errors.py).
    DOCUMENTATION = r"""
options:
  errors:
    description:
      - V(raise) fails the template on a problem; V(return) returns a dict with the message under C(error)
        instead, for a task that fails with the message alone.
    type: str
    default: raise
    choices: [raise, return]
"""
