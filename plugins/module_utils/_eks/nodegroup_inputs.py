# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the nodegroup stage reads before it makes anything, in one run (eks_nodegroup_inputs_info): the instance
types with their max pods, the subnets with their free addresses and which SSH key pairs exist."""

from __future__ import annotations

from . import api
from .common import client
from .common import to_ansible
from .errors import EksError
from .errors import error_code
from .instance_types import with_max_pods
from .vocabulary import is_pending


def read(module):
    params = module.params
    types = list(dict.fromkeys(params["instance_types"]))
    # A subnet a check run predicts (a pending value) has nothing to read yet.
    subnet_ids = [s for s in dict.fromkeys(params["subnet_ids"]) if not is_pending(s)]
    key_names = list(dict.fromkeys(params["key_names"]))
    ec2 = client(module, "ec2")

    try:
        records = {r["InstanceType"]: r for r in api.describe_instance_types(ec2, types)} if types else {}
    except EksError as e:
        if error_code(e) != "InvalidInstanceType":
            raise
        raise EksError(f"instance_types: {', '.join(types)}: not all offered in {module.region} ({e})") from None
    missing = [name for name in types if name not in records]
    if missing:
        raise EksError(f"instance_types: {', '.join(missing)} not offered in {module.region}")
    subnets = {s["SubnetId"]: s for s in api.describe_subnets(ec2, subnet_ids)} if subnet_ids else {}
    return dict(
        changed=False,
        instance_types=[with_max_pods(records[name]) for name in types],
        subnets=[to_ansible(subnets[s]) for s in subnet_ids if s in subnets],
        key_pairs=existing_key_pairs(ec2, key_names),
    )


def existing_key_pairs(ec2, key_names):
    """Which of the key pairs ``key_names`` exist (one DescribeKeyPairs): key_name, key_pair_id, key_fingerprint."""
    names = list(dict.fromkeys(key_names or []))
    keys = {k["KeyName"]: k for k in api.describe_key_pairs(ec2, names)} if names else {}
    return [
        dict(key_name=name, key_pair_id=keys[name].get("KeyPairId"), key_fingerprint=keys[name].get("KeyFingerprint"))
        for name in names
        if name in keys
    ]
