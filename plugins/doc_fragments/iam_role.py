# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # The options of the IAM role a module makes (eks_iam_role, eks_irsa): module_utils/_eks/module.py's ROLE.
    DOCUMENTATION = r"""
options:
  description:
    description:
      - Description of the role. Left as it is when not set.
    type: str
  permissions_boundary:
    description:
      - ARN of the managed policy to set as permissions boundary. An empty string removes it.
        Left as it is when not set.
    type: str
  max_session_duration:
    description:
      - Maximum session duration, in seconds, from 3600 to 43200. Left as it is when not set.
    type: int
"""
