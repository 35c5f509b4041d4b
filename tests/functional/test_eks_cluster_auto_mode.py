"""eks_cluster's Auto Mode and zonal shift against the local AWS endpoint: created with Auto Mode in four steps, turned
on, changed and off in place in four steps each, the node role refused to change, bad settings refused before any
call."""

from __future__ import annotations

import json

import boto3
import pytest
from four_steps import four_steps
from four_steps import predicted
from module_runner import run_module

NAME = "auto"
NODE_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


@pytest.fixture
def setup(local_aws, cluster_role, vpc_subnets, monkeypatch):
    local_aws.post("/_aews/config", {"scale": 0.05})
    monkeypatch.setenv("AEWS_EKS_WAIT_DELAY", "0.1")
    iam = boto3.client("iam")
    roles = [
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(NODE_TRUST))["Role"]["Arn"]
        for name in ("auto-nodes", "other-nodes")
    ]
    base = dict(
        name=NAME,
        role_arn=cluster_role,
        subnet_ids=vpc_subnets["subnet_ids"][:2],
        access_config={"authentication_mode": "API"},
    )
    return base, roles


def auto_mode_of(cluster):
    return (
        cluster["compute_config"],
        cluster["storage_config"]["block_storage"]["enabled"],
        cluster["kubernetes_network_config"]["elastic_load_balancing"]["enabled"],
    )


def test_created_with_auto_mode_and_zonal_shift(local_aws, setup):
    base, (nodes, _other) = setup
    params = dict(base, auto_mode={"enabled": True, "node_role_arn": nodes}, zonal_shift=True)
    checked, applied, _final = four_steps(
        "eks_cluster", "cluster", params, predicted("compute_config", "storage_config", "zonal_shift_config"),
        local_aws=local_aws,
    )  # fmt: skip
    compute = {"enabled": True, "node_pools": ["general-purpose", "system"], "node_role_arn": nodes}
    assert auto_mode_of(applied["cluster"]) == (compute, True, True)
    assert applied["cluster"]["zonal_shift_config"] == {"enabled": True}
    assert checked["diff"]["after"]["auto_mode"]["node_role_arn"] == nodes
    # EKS gave the node role its access entry.
    entry = boto3.client("eks").describe_access_entry(clusterName=NAME, principalArn=nodes)["accessEntry"]
    assert entry["type"] == "EC2"


def test_auto_mode_on_changed_and_off_in_place(local_aws, setup):
    base, (nodes, other) = setup
    run_module("eks_cluster", base)
    on = dict(base, auto_mode={"enabled": True, "node_pools": ["system"], "node_role_arn": nodes})
    checked, applied, _final = four_steps("eks_cluster", "cluster", on, predicted("compute_config"), local_aws=local_aws)
    assert [u["type"] for u in checked["cluster"]["updates"]] == ["AutoModeUpdate"]
    assert checked["changes"][0]["why"].startswith("auto_mode compute off -> on")
    assert auto_mode_of(applied["cluster"]) == ({"enabled": True, "node_pools": ["system"], "node_role_arn": nodes},
                                                True, True)  # fmt: skip
    assert applied["cluster"]["kubernetes_network_config"]["service_ipv4_cidr"]  # the rest of it kept

    pools = dict(on, auto_mode=dict(on["auto_mode"], node_pools=["general-purpose", "system"]))
    _checked, applied, _final = four_steps("eks_cluster", "cluster", pools, predicted("compute_config"), local_aws=local_aws)
    assert applied["cluster"]["compute_config"]["node_pools"] == ["general-purpose", "system"]

    start = len(local_aws.requests(mutating=True))
    refused = run_module("eks_cluster", dict(on, auto_mode=dict(on["auto_mode"], node_role_arn=other)),
                         expect_failure=True)  # fmt: skip
    assert "EKS cannot change the node role while Auto Mode compute is on" in refused["msg"]
    assert local_aws.requests(mutating=True)[start:] == []

    off = dict(base, auto_mode={"enabled": False})
    _checked, applied, _final = four_steps("eks_cluster", "cluster", off, predicted("storage_config"), local_aws=local_aws)
    assert auto_mode_of(applied["cluster"])[1:] == (False, False)
    assert applied["cluster"]["compute_config"]["enabled"] is False


def test_bad_settings_are_refused_before_any_call(local_aws, setup):
    base, (nodes, _other) = setup
    local_aws.clear_requests()
    failed = run_module(
        "eks_cluster",
        dict(base, auto_mode={"enabled": True}, access_config={"authentication_mode": "CONFIG_MAP"}),
        expect_failure=True,
    )
    assert failed["problems"] == [
        "auto_mode.enabled: Auto Mode needs access entries: the authentication mode must be API or "
        "API_AND_CONFIG_MAP, not CONFIG_MAP",
        "auto_mode.node_role_arn: is required with node pools (auto_mode.node_pools [] asks for none)",
    ]
    assert local_aws.requests() == []
    settings = {"enabled": True, "node_role_arn": nodes}
    no_mode = run_module("eks_cluster", dict(base, access_config=None, auto_mode=settings), expect_failure=True)
    assert "set access_config.authentication_mode to API or API_AND_CONFIG_MAP" in no_mode["msg"]
    assert local_aws.requests(mutating=True) == []
