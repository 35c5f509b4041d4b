"""The EKS implementation's parts (tests/local_aws/eks/, composed in eks_ext.Eks) stay apart and answer EKS's
operations by their botocore names."""

from __future__ import annotations

import botocore.session

from local_aws.eks_ext import PARTS
from local_aws.eks_ext import Eks


def test_no_method_is_defined_by_two_parts():
    owners = {}
    for part in PARTS:
        for name, value in vars(part).items():
            if callable(value) and not name.startswith("__"):
                owners.setdefault(name, []).append(part.__name__)
    shared = {name: parts for name, parts in owners.items() if len(parts) > 1}
    assert shared == {}, f"a method defined in two parts (one would hide the other): {shared}"


def test_every_operation_method_names_an_eks_operation():
    operations = set(botocore.session.get_session().get_service_model("eks").operation_names)
    handlers = {name[len("op_") :] for name in dir(Eks) if name.startswith("op_")}
    assert handlers, "no op_<Operation> method found"
    assert sorted(handlers - operations) == [], "op_ methods that no EKS operation reaches"
    # What the README lists as implemented is answered, for example:
    assert {"CreateCluster", "CreateNodegroup", "CreateAddon", "CreateAccessEntry", "TagResource"} <= handlers
