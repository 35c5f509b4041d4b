# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the AWS operation wrappers: real boto3 clients whose responses come from botocore's Stubber."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.aews.eks.plugins.module_utils._eks import api
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError

ARN = "arn:aws:eks:ap-northeast-2:123456789012:cluster/myeks"


def make_client(service):
    return boto3.client(
        service,
        region_name="ap-northeast-2",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        aws_session_token="testing",
    )


@pytest.fixture(name="eks")
def eks_fixture():
    client = make_client("eks")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


@pytest.fixture(name="ec2")
def ec2_fixture():
    client = make_client("ec2")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


# ---------------------------------------------------------------- describe / create / delete
def test_describe_cluster_returns_the_cluster(eks):
    client, stubber = eks
    stubber.add_response(
        "describe_cluster",
        {"cluster": {"name": "myeks", "arn": ARN, "status": "ACTIVE", "tags": {"Env": "dev"}}},
        {"name": "myeks"},
    )
    assert api.describe_cluster(client, "myeks") == {
        "name": "myeks",
        "arn": ARN,
        "status": "ACTIVE",
        "tags": {"Env": "dev"},
    }


def test_describe_cluster_of_a_missing_cluster_is_none(eks):
    client, stubber = eks
    stubber.add_client_error(
        "describe_cluster", "ResourceNotFoundException", "No cluster found for name: myeks.", 404, {"name": "myeks"}
    )
    assert api.describe_cluster(client, "myeks") is None


def test_describe_update_passes_the_nodegroup(eks):
    client, stubber = eks
    stubber.add_response(
        "describe_update",
        {"update": {"id": "u-1", "status": "Successful"}},
        {"name": "myeks", "updateId": "u-1", "nodegroupName": "ng1"},
    )
    assert api.describe_update(client, "myeks", "u-1", nodegroup_name="ng1") == {"id": "u-1", "status": "Successful"}


def test_create_cluster_error_names_the_operation_and_aws_error(eks):
    client, stubber = eks
    stubber.add_client_error(
        "create_cluster",
        "ResourceInUseException",
        "Cluster already exists with name: myeks",
        409,
        {"name": "myeks", "roleArn": "arn:aws:iam::123456789012:role/eks", "resourcesVpcConfig": {}},
    )
    with pytest.raises(EksError) as e:
        api.create_cluster(client, name="myeks", roleArn="arn:aws:iam::123456789012:role/eks", resourcesVpcConfig={})
    assert (
        str(e.value) == "Failed to create the cluster: ResourceInUseException: Cluster already exists with name: myeks"
    )
    assert e.value.code == "ResourceInUseException"


def test_delete_cluster(eks):
    client, stubber = eks
    stubber.add_response("delete_cluster", {"cluster": {"name": "myeks", "status": "DELETING"}}, {"name": "myeks"})
    assert api.delete_cluster(client, "myeks") is True


def test_delete_of_a_missing_nodegroup_is_false(eks):
    client, stubber = eks
    stubber.add_client_error(
        "delete_nodegroup",
        "ResourceNotFoundException",
        "No node group found for name: ng1.",
        404,
        {"clusterName": "myeks", "nodegroupName": "ng1"},
    )
    assert api.delete_nodegroup(client, "myeks", "ng1") is False


def test_delete_addon_passes_preserve(eks):
    client, stubber = eks
    stubber.add_response(
        "delete_addon",
        {"addon": {"addonName": "vpc-cni", "status": "DELETING"}},
        {"clusterName": "myeks", "addonName": "vpc-cni", "preserve": True},
    )
    assert api.delete_addon(client, "myeks", "vpc-cni", preserve=True) is True


def test_tag_and_untag(eks):
    client, stubber = eks
    stubber.add_response("tag_resource", {}, {"resourceArn": ARN, "tags": {"A": "1"}})
    stubber.add_response("untag_resource", {}, {"resourceArn": ARN, "tagKeys": ["B", "C"]})
    assert api.tag_resource(client, ARN, {"A": "1"}) is None
    assert api.untag_resource(client, ARN, ("B", "C")) is None


# ---------------------------------------------------------------- pagination
def test_list_clusters_follows_every_page(eks):
    client, stubber = eks
    stubber.add_response("list_clusters", {"clusters": ["a", "b"], "nextToken": "t1"}, {})
    stubber.add_response("list_clusters", {"clusters": ["c"], "nextToken": "t2"}, {"nextToken": "t1"})
    stubber.add_response("list_clusters", {"clusters": []}, {"nextToken": "t2"})
    assert api.list_clusters(client) == ["a", "b", "c"]


def test_list_nodegroups_of_one_page(eks):
    client, stubber = eks
    stubber.add_response("list_nodegroups", {"nodegroups": ["ng1", "ng2"]}, {"clusterName": "myeks"})
    assert api.list_nodegroups(client, "myeks") == ["ng1", "ng2"]


def test_list_nodegroups_of_a_missing_cluster_is_empty(eks):
    client, stubber = eks
    stubber.add_client_error(
        "list_nodegroups", "ResourceNotFoundException", "No cluster found", 404, {"clusterName": "myeks"}
    )
    assert api.list_nodegroups(client, "myeks") == []


def test_list_addons_pages(eks):
    client, stubber = eks
    stubber.add_response("list_addons", {"addons": ["vpc-cni"], "nextToken": "n"}, {"clusterName": "myeks"})
    stubber.add_response(
        "list_addons", {"addons": ["coredns", "kube-proxy"]}, {"clusterName": "myeks", "nextToken": "n"}
    )
    assert api.list_addons(client, "myeks") == ["vpc-cni", "coredns", "kube-proxy"]


def test_list_clusters_error_in_a_later_page(eks):
    client, stubber = eks
    stubber.add_response("list_clusters", {"clusters": ["a"], "nextToken": "t1"}, {})
    # Not retried (a 5xx would be: test_retry.py); the error of a later page names the listing.
    stubber.add_client_error("list_clusters", "AccessDeniedException", "not allowed", 403, {"nextToken": "t1"})
    with pytest.raises(EksError, match="Failed to list the clusters: AccessDeniedException: not allowed"):
        api.list_clusters(client)


def test_describe_subnets_pages(ec2):
    client, stubber = ec2
    stubber.add_response(
        "describe_subnets",
        {"Subnets": [{"SubnetId": "subnet-1"}], "NextToken": "p2"},
        {"SubnetIds": ["subnet-1", "subnet-2"]},
    )
    stubber.add_response(
        "describe_subnets",
        {"Subnets": [{"SubnetId": "subnet-2"}]},
        {"SubnetIds": ["subnet-1", "subnet-2"], "NextToken": "p2"},
    )
    assert api.describe_subnets(client, ("subnet-1", "subnet-2")) == [
        {"SubnetId": "subnet-1"},
        {"SubnetId": "subnet-2"},
    ]


# ---------------------------------------------------------------- client request tokens, IAM propagation
def test_request_token_is_deterministic_per_request():
    params = {
        "name": "myeks",
        "roleArn": "arn:aws:iam::123456789012:role/r",
        "resourcesVpcConfig": {"subnetIds": ["a"]},
    }
    token = api.request_token("cluster", params)
    assert token == api.request_token("cluster", dict(reversed(list(params.items()))))
    assert token != api.request_token("cluster", dict(params, name="other"))
    assert token != api.request_token("nodegroup", params)
    assert api.request_token("cluster", dict(params, clientRequestToken="x")) == token


def test_create_cluster_sends_its_token_and_retries_iam_propagation(eks, monkeypatch):
    from ansible_collections.aews.eks.plugins.module_utils._eks import retry

    monkeypatch.setattr(retry.time, "sleep", lambda s: None)
    client, stubber = eks
    request = {"name": "myeks", "roleArn": "arn:aws:iam::123456789012:role/eks", "resourcesVpcConfig": {}}
    expected = dict(request, clientRequestToken=api.request_token("cluster", request))
    stubber.add_client_error(
        "create_cluster",
        "InvalidParameterException",
        "Role with arn: arn:aws:iam::123456789012:role/eks could not be assumed because it does not exist or the"
        " trusted entity is not correct",
        400,
        expected_params=expected,
    )
    stubber.add_response("create_cluster", {"cluster": {"name": "myeks", "status": "CREATING"}}, expected)
    client.iam_propagation = retry.iam_propagation(timeout=60, delay=1)

    assert api.create_cluster(client, **request)["status"] == "CREATING"
    assert "CreateCluster myeks: waited" in client.iam_propagation.notes[0]
