"""eks_instance_types_info against the local AWS endpoint."""

from __future__ import annotations

import pytest
from module_runner import run_module

from ansible_collections.aews.eks.plugins.filter.max_pods import FilterModule

max_pods = FilterModule().filters()["max_pods"]


def test_describes_types_with_their_max_pods(local_aws, aws_calls):
    result = run_module(
        "eks_instance_types_info", {"instance_types": ["t3.medium", "m5.large", "t3.medium"]}, check_mode=True
    )
    assert result["changed"] is False
    assert aws_calls.mutating() == []
    types = result["instance_types"]
    assert [(t["instance_type"], t["max_pods"], t["max_pods_prefix_delegation"]) for t in types] == [
        ("t3.medium", 17, 110),
        ("m5.large", 29, 110),
    ]
    assert types[0]["network_info"]["maximum_network_interfaces"] == 3
    # The records feed the filter as they are.
    assert max_pods(types[1]) == 29
    assert max_pods(types[1], prefix_delegation=True) == 110


@pytest.mark.parametrize(
    "names, message",
    [
        (["t3.nonexistent"], "describe the instance types: InvalidInstanceType"),
        ([], "instance_types: name at least one instance type"),
    ],
)
def test_bad_types_fail(local_aws, names, message):
    result = run_module("eks_instance_types_info", {"instance_types": names}, expect_failure=True)
    assert message in result["msg"]
