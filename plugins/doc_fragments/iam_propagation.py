# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  iam_propagation_timeout:
    description:
      - For how many seconds a create that names an IAM role (or an OIDC provider trusted by one) is tried again
        while EKS refuses the role as not yet assumable. EKS answers C(InvalidParameterException) with
        C(Role with arn ... could not be assumed ...) or C(... doesn't have the Amazon EKS Managed Policies
        associated) while IAM has not yet propagated a new role, its trust policy or its policy attachments.
      - Each wait is reported as a warning naming the call and the reason.
      - V(0) tries once. The default matches the propagation timeout of Terraform's AWS provider.
      - Every create also carries a client request token derived from its request, so that a create repeated
        after a lost answer returns the resource the first call made.
    type: int
    default: 120
"""
