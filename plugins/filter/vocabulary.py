# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's vocabulary for roles and playbooks: its tag keys and the AWS managed policies it attaches."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.aews.eks.plugins.module_utils._eks import vocabulary

# The tag keys the collection writes, by the name the roles use.
TAG_KEYS = {
    "owner": vocabulary.OWNER_TAG,
    "service_accounts": vocabulary.SERVICE_ACCOUNTS_TAG,
    "service_account_mode": vocabulary.SERVICE_ACCOUNT_MODE_TAG,
    "self_managed_nodegroup": vocabulary.SELF_MANAGED_NODEGROUP_TAG,
}


def tag_key(name):
    """The documentation is in tag_key.yml."""
    if name not in TAG_KEYS:
        raise AnsibleFilterError(f"aews.eks.tag_key: {name!r} is not one of {', '.join(TAG_KEYS)}")
    return TAG_KEYS[name]


def managed_policy_arn(names, partition="aws"):
    """The documentation is in managed_policy_arn.yml."""
    many = isinstance(names, (list, tuple))
    arns = []
    for name in names if many else [names]:
        if name not in vocabulary.MANAGED_POLICIES:
            raise AnsibleFilterError(
                f"aews.eks.managed_policy_arn: {name!r} is not one of the managed policies the collection attaches "
                f"({', '.join(vocabulary.MANAGED_POLICIES)})"
            )
        arns.append(vocabulary.policy_arn(name, partition or "aws"))
    return arns if many else arns[0]


class FilterModule:
    def filters(self):
        return {"tag_key": tag_key, "managed_policy_arn": managed_policy_arn}
