"""A fully private cluster: eksctl's privateCluster converted (aews.eks.eksctl_config), the definition's
private_cluster (aews.eks.cluster_definition) and eks_vpc's private-only VPC (pure plan)."""

from __future__ import annotations

import copy

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.aews.eks.plugins.filter.cluster_definition import FilterModule as DefinitionFilters
from ansible_collections.aews.eks.plugins.filter.eksctl_config import FilterModule
from ansible_collections.aews.eks.plugins.module_utils._eks import vpc
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError

eksctl_config = FilterModule().filters()["eksctl_config"]
cluster_definition = DefinitionFilters().filters()["cluster_definition"]

CONFIG = {
    "apiVersion": "eksctl.io/v1alpha5",
    "kind": "ClusterConfig",
    "metadata": {"name": "c1", "region": "us-east-1", "version": "1.33"},
    "availabilityZones": ["us-east-1a", "us-east-1b"],
    "privateCluster": {"enabled": True},
    "managedNodeGroups": [{"name": "ng", "privateNetworking": True}],
    "nodeGroups": [{"name": "sm", "privateNetworking": True}],
}


def convert(**changes):
    cfg = copy.deepcopy(CONFIG)
    for key, value in changes.items():
        if value is None:
            cfg.pop(key, None)
        else:
            cfg[key] = value
    return eksctl_config(cfg)


def problems(**changes):
    with pytest.raises(AnsibleFilterError) as info:
        convert(**changes)
    return str(info.value).split("\n", 1)[1]


def normalized(definition):
    return cluster_definition(definition, check_files=False)


def test_private_cluster_converts_as_eksctl_ends_it():
    result = normalized(convert())
    assert result["private_cluster"] == {
        "enabled": True, "skip_endpoint_creation": False, "additional_endpoint_services": [],
        "endpoint_services": ["ec2", "ecr.api", "ecr.dkr", "s3", "sts"],
    }  # fmt: skip
    assert result["endpoint"]["public_access"] is False and result["endpoint"]["private_access"] is True
    assert result["vpc"]["nat"] == "disabled"
    # eksctl's split keeps its private blocks; no public subnet is built.
    assert result["vpc"]["subnets"] == {"public": {}, "private": {"us-east-1a": "192.168.64.0/19",
                                                                  "us-east-1b": "192.168.96.0/19"}}  # fmt: skip
    assert result["warnings"] == []  # no "API endpoint public to the internet" advice


def test_additional_services_and_logging_add_endpoints_skip_makes_none():
    logging = {"clusterLogging": {"enableTypes": ["api"]}}
    private = {"enabled": True, "additionalEndpointServices": ["autoscaling", "cloudformation"]}
    result = normalized(convert(privateCluster=private, cloudWatch=logging))
    assert result["private_cluster"]["endpoint_services"] == [
        "ec2", "ecr.api", "ecr.dkr", "s3", "sts", "autoscaling", "cloudformation", "logs"
    ]  # fmt: skip
    result = normalized(convert(privateCluster={"enabled": True, "skipEndpointCreation": True}, cloudWatch=logging))
    assert result["private_cluster"]["endpoint_services"] == []
    assert normalized(convert(privateCluster={"enabled": False}))["private_cluster"]["enabled"] is False


def test_what_eksctl_refuses_is_named_by_its_clusterconfig_path():
    assert problems(privateCluster={"enabled": True, "additionalEndpointServices": ["s3", "logs", "logs"]}) == (
        "  privateCluster.additionalEndpointServices[0]: unsupported endpoint service 's3': one of cloudformation,"
        " autoscaling, logs\n  privateCluster.additionalEndpointServices[2]: found duplicate endpoint service 'logs'"
    )
    assert problems(privateCluster={"enabled": True, "skipEndpointCreation": True,
                                    "additionalEndpointServices": ["logs"]}) == (  # fmt: skip
        "  privateCluster.additionalEndpointServices: cannot be set when privateCluster.skipEndpointCreation is true"
    )
    assert problems(managedNodeGroups=[{"name": "ng"}]) == (
        "  managedNodeGroups[0].privateNetworking: must be true in a fully private cluster (privateCluster.enabled):"
        " it has no public subnets"
    )
    assert problems(vpc={"clusterEndpoints": {"publicAccess": True, "privateAccess": True}}) == (
        "  vpc.clusterEndpoints.publicAccess: a fully private cluster (privateCluster.enabled) has no public API"
        " endpoint: remove it or set it false"
    )
    assert "vpc.nat.gateway: single: a fully private cluster" in problems(vpc={"nat": {"gateway": "Single"}})
    assert problems(vpc={"id": "vpc-1", "subnets": {"public": {"us-east-1a": {"id": "subnet-1"}}}}).endswith(
        "  vpc.subnets.private: must be specified in a fully-private cluster when a pre-existing VPC is supplied"
    )


def test_an_existing_vpc_gets_eksctls_endpoints_or_none_with_skip_endpoint_creation():
    # As eksctl: the endpoints are made in the VPC given (vpc.id) too, unless skipEndpointCreation.
    existing = {"id": "vpc-1", "subnets": {"private": {"us-east-1a": {"id": "subnet-1"}, "us-east-1b": {"id": "s-2"}}}}
    logging = {"clusterLogging": {"enableTypes": ["api"]}}
    adopted = normalized(convert(vpc=existing, cloudWatch=logging,
                                 privateCluster={"enabled": True, "additionalEndpointServices": ["autoscaling"]}))  # fmt: skip
    assert adopted["private_cluster"]["endpoint_services"] == ["ec2", "ecr.api", "ecr.dkr", "s3", "sts", "autoscaling",
                                                               "logs"]  # fmt: skip
    assert adopted["vpc"]["id"] == "vpc-1" and adopted["vpc"]["subnet_ids"] == {
        "public": {}, "private": {"us-east-1a": "subnet-1", "us-east-1b": "s-2"}}  # fmt: skip
    assert adopted["vpc"]["nat"] == "disabled" and adopted["endpoint"]["public_access"] is False
    skipped = normalized(convert(vpc=existing, privateCluster={"enabled": True, "skipEndpointCreation": True}))
    assert skipped["private_cluster"]["endpoint_services"] == [] and skipped["vpc"]["id"] == "vpc-1"
    # The definition as written by hand, likewise.
    base = {"name": "c1", "region": "us-east-1", "private_cluster": {"enabled": True},
            "vpc": {"id": "vpc-1", "subnet_ids": {"private": {"us-east-1a": "subnet-1", "us-east-1b": "s-2"}}}}  # fmt: skip
    assert normalized(base)["private_cluster"]["endpoint_services"] == ["ec2", "ecr.api", "ecr.dkr", "s3", "sts"]
    with pytest.raises(AnsibleFilterError, match=r"vpc.subnet_ids.private: a fully private cluster with vpc.id needs"):
        normalized(dict(base, vpc={"id": "vpc-1"}))
    # Private subnets only, as eksctl: public ones of an existing VPC are refused by path.
    public = dict(base["vpc"], subnet_ids=dict(base["vpc"]["subnet_ids"], public={"us-east-1a": "subnet-9"}))
    with pytest.raises(AnsibleFilterError, match=r"vpc.subnet_ids.public: a fully private cluster \(private_cluster"
                       r".enabled\) uses private subnets only: remove them"):  # fmt: skip
        normalized(dict(base, vpc=public))
    eksctl_public = dict(existing, subnets=dict(existing["subnets"], public={"us-east-1a": {"id": "subnet-9"}}))
    assert problems(vpc=eksctl_public) == (
        "  vpc.subnets.public: a fully private cluster (privateCluster.enabled) uses private subnets only: remove them"
    )


def test_the_definition_key_by_itself():
    base = {"name": "c1", "region": "us-east-1", "vpc": {"availability_zones": ["us-east-1a", "us-east-1b"]}}
    with pytest.raises(AnsibleFilterError, match=r"private_cluster.skip_endpoint_creation: applies to a fully private"):
        normalized(dict(base, private_cluster={"skip_endpoint_creation": True}))
    with pytest.raises(AnsibleFilterError, match=r"private_cluster.enabeld: unknown key \(did you mean enabled\?\)"):
        normalized(dict(base, private_cluster={"enabeld": True}))
    result = normalized(dict(base, private_cluster={"enabled": True}, nodegroups=[{"name": "ng"}],
                             self_managed_nodegroups=[{"name": "sm"}]))  # fmt: skip
    assert result["nodegroups"][0]["private_networking"] and result["self_managed_nodegroups"][0]["private_networking"]


PRIVATE = {
    "name": "c1",
    "cidr": "10.0.0.0/16",
    "subnets": {"private": {"us-east-1a": "10.0.64.0/19", "us-east-1b": "10.0.96.0/19"}},
    "nat": "disabled",
    "private_only": True,
}


def test_a_private_only_vpc_has_private_subnets_and_route_tables_only():
    desired = vpc.build_desired(PRIVATE)
    changes = vpc.plan(vpc.empty_model(), desired)
    actions = [c["action"] for c in changes]
    assert "create_igw" not in actions and "attach_igw" not in actions and "create_nat" not in actions
    assert [c["resource"] for c in changes if c["action"] == "create_subnet"] == [
        "c1-private-us-east-1a", "c1-private-us-east-1b"
    ]  # fmt: skip
    assert [c["resource"] for c in changes if c["action"] == "create_route_table"] == [
        "c1-private-us-east-1a", "c1-private-us-east-1b"
    ]  # fmt: skip
    assert "create_route" not in actions
    after = vpc.predict(vpc.empty_model(), desired, changes)
    assert vpc.plan(after, desired) == []
    with pytest.raises(EksError, match="nat: a private-only VPC"):
        vpc.build_desired(dict(PRIVATE, nat="single"))
    with pytest.raises(EksError, match="subnets.public: a private-only VPC"):
        vpc.build_desired(dict(PRIVATE, subnets=dict(PRIVATE["subnets"], public={"us-east-1a": "10.0.0.0/19"})))
