"""The max pods and subnet capacity filters, with DescribeInstanceTypes records as AWS returns them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.aews.eks.plugins.filter.max_pods import FilterModule

FILTERS = FilterModule().filters()
max_pods = FILTERS["max_pods"]
subnet_capacity = FILTERS["subnet_capacity"]


def record(name, vcpus, enis, ips):
    return {
        "InstanceType": name,
        "VCpuInfo": {"DefaultVCpus": vcpus, "DefaultCores": max(vcpus // 2, 1)},
        "NetworkInfo": {
            "NetworkPerformance": "Up to 5 Gigabit",
            "MaximumNetworkInterfaces": enis,
            "MaximumNetworkCards": 1,
            "Ipv4AddressesPerInterface": ips,
            "Ipv6AddressesPerInterface": ips,
            "Ipv6Supported": True,
        },
    }


# name, vCPUs, ENIs, IPv4 per ENI, max pods, max pods with prefix delegation
TYPES = [
    ("t3.nano", 2, 2, 2, 4, 34),
    ("t3.micro", 2, 2, 2, 4, 34),
    ("t3.medium", 2, 3, 6, 17, 110),
    ("m5.large", 2, 3, 10, 29, 110),
    ("m5.4xlarge", 16, 8, 30, 234, 110),
    ("c5.9xlarge", 36, 8, 30, 234, 250),
    ("m5.8xlarge", 32, 8, 30, 234, 250),
    ("m5.24xlarge", 96, 15, 50, 737, 250),
    # max-pods-calculator.sh: 250 only above 30 vCPUs; 30 exactly keeps 110.
    ("x.31vcpu", 31, 8, 30, 234, 250),
    ("x.30vcpu", 30, 8, 30, 234, 110),
    ("x.29vcpu", 29, 8, 30, 234, 110),
]


@pytest.mark.parametrize("name, vcpus, enis, ips, expected, expected_pd", TYPES)
def test_max_pods(name, vcpus, enis, ips, expected, expected_pd):
    raw = record(name, vcpus, enis, ips)
    assert max_pods(raw) == expected
    assert max_pods(raw, prefix_delegation=False) == expected
    assert max_pods(raw, prefix_delegation=True) == expected_pd


@pytest.mark.parametrize("name, vcpus, enis, ips, expected, expected_pd", TYPES)
def test_max_pods_snake_cased_record(name, vcpus, enis, ips, expected, expected_pd):
    snake = camel_dict_to_snake_dict(record(name, vcpus, enis, ips))
    assert "network_info" in snake
    assert max_pods(snake) == expected
    assert max_pods(snake, prefix_delegation=True) == expected_pd


def aws_record(name):
    """The DescribeInstanceTypes record AWS returns (as moto ships it: AWS's own data), with NetworkCards and
    Hypervisor; instance_types.json keeps the fields the computation reads."""
    with open(Path(__file__).parent / "instance_types.json") as f:
        return json.load(f)[name]


# AWS's records, as misc/eni-max-pods.txt of amazon-vpc-cni-k8s lists them (without prefix delegation).
@pytest.mark.parametrize(
    "name, expected, expected_pd",
    [
        # 32 network cards of 2 ENIs each: pods use the default card's 2 ENIs (2 x 49 + 2), not 64 ENIs.
        ("p5.48xlarge", 100, 250),
        # Xen: no prefix delegation, the CNI keeps secondary IPs.
        ("t2.medium", 17, 17),
        ("c4.large", 29, 29),
        ("m4.4xlarge", 234, 110),
        ("m4.16xlarge", 234, 234),
        # Bare metal (no hypervisor) delegates prefixes.
        ("m5.metal", 737, 250),
        ("t3.medium", 17, 110),
        ("m5.large", 29, 110),
    ],
)
def test_max_pods_aws_records(name, expected, expected_pd):
    raw = aws_record(name)
    assert max_pods(raw) == expected
    assert max_pods(raw, prefix_delegation=True) == expected_pd
    snake = camel_dict_to_snake_dict(raw)
    assert max_pods(snake) == expected
    assert max_pods(snake, prefix_delegation=True) == expected_pd


def test_max_pods_default_network_card():
    raw = record("x.cards", 64, 8, 10)
    raw["NetworkInfo"]["DefaultNetworkCardIndex"] = 1
    raw["NetworkInfo"]["NetworkCards"] = [
        {"NetworkCardIndex": 0, "MaximumNetworkInterfaces": 4},
        {"NetworkCardIndex": 1, "MaximumNetworkInterfaces": 2},
    ]
    assert max_pods(raw) == 2 * 9 + 2


def test_max_pods_without_vcpus_secondary_ips_only():
    raw = record("x.novcpu", 2, 3, 6)
    del raw["VCpuInfo"]
    assert max_pods(raw) == 17
    with pytest.raises(AnsibleFilterError, match="VCpuInfo.DefaultVCpus"):
        max_pods(raw, prefix_delegation=True)


def test_subnet_capacity_xen_prefix_delegation_uses_secondary_ips():
    t2 = aws_record("t2.medium")
    assert subnet_capacity([100], t2, 2, prefix_delegation=True) == subnet_capacity([100], t2, 2)


@pytest.mark.parametrize(
    "value, message",
    [
        ({"InstanceType": "t3.medium"}, "t3.medium: the record has no usable NetworkInfo.MaximumNetworkInterfaces"),
        (
            {"InstanceType": "x", "NetworkInfo": {"MaximumNetworkInterfaces": 3}, "VCpuInfo": {"DefaultVCpus": 2}},
            "x: the record has no usable NetworkInfo.Ipv4AddressesPerInterface",
        ),
        ("t3.medium", "must be a dict"),
        (
            {
                "InstanceType": "x",
                "NetworkInfo": {"MaximumNetworkInterfaces": 0, "Ipv4AddressesPerInterface": 6},
                "VCpuInfo": {"DefaultVCpus": 2},
            },
            "MaximumNetworkInterfaces",
        ),
    ],
)
def test_max_pods_bad_record(value, message):
    with pytest.raises(AnsibleFilterError) as info:
        max_pods(value)
    assert str(info.value).startswith("aews.eks.max_pods: ")
    assert message in str(info.value)


def test_max_pods_prefix_delegation_must_be_bool():
    with pytest.raises(AnsibleFilterError, match="prefix_delegation must be a boolean"):
        max_pods(record("t3.medium", 2, 3, 6), prefix_delegation="yes")


T3_MEDIUM = record("t3.medium", 2, 3, 6)


@pytest.mark.parametrize(
    "subnets, max_size, prefix_delegation, pods, expected",
    [
        # 3 ENIs x 6 addresses = 18 per full node; 2 nodes need 36.
        (
            [{"AvailableIpAddressCount": 20}, {"AvailableIpAddressCount": 16}],
            2,
            False,
            None,
            dict(free_ips=36, ips_per_node=18, needed_ips=36, max_pods=17, sufficient=True),
        ),
        (
            [{"available_ip_address_count": 20}, {"available_ip_address_count": 15}],
            2,
            False,
            None,
            dict(free_ips=35, ips_per_node=18, needed_ips=36, max_pods=17, sufficient=False),
        ),
        # max pods held to 7: 5 pod IPs fill one ENI of 5 secondaries, so one ENI of 6 addresses.
        ([10], 1, False, 7, dict(free_ips=10, ips_per_node=6, needed_ips=6, max_pods=7, sufficient=True)),
        # Prefix delegation, 110 pods: 108 pod IPs = 7 prefixes + 1 warm = 8 x 16 = 128, on 2 ENIs: 130.
        (
            [8000, 8000],
            100,
            True,
            None,
            dict(free_ips=16000, ips_per_node=130, needed_ips=13000, max_pods=110, sufficient=True),
        ),
        ([100], 1, True, None, dict(free_ips=100, ips_per_node=130, needed_ips=130, max_pods=110, sufficient=False)),
        # max size 0 needs nothing.
        ([], 0, False, None, dict(free_ips=0, ips_per_node=18, needed_ips=0, max_pods=17, sufficient=True)),
    ],
)
def test_subnet_capacity(subnets, max_size, prefix_delegation, pods, expected):
    result = subnet_capacity(subnets, T3_MEDIUM, max_size, prefix_delegation=prefix_delegation, max_pods=pods)
    message = result.pop("message")
    assert result == expected
    if expected["sufficient"]:
        assert message == ""
    else:
        assert f"{expected['free_ips']} free IPv4 addresses" in message
        assert f"need {expected['needed_ips']}" in message
        assert ("contiguous /28" in message) == prefix_delegation


@pytest.mark.parametrize(
    "subnets, max_size, pods, message",
    [
        ([{"SubnetId": "subnet-1"}], 2, None, r"subnets\[0\]: no AvailableIpAddressCount"),
        ([10], -1, None, "max_size must be a non-negative integer"),
        ([10], 2, 0, "max_pods must be a positive integer"),
    ],
)
def test_subnet_capacity_bad_input(subnets, max_size, pods, message):
    with pytest.raises(AnsibleFilterError, match=message):
        subnet_capacity(subnets, T3_MEDIUM, max_size, max_pods=pods)
