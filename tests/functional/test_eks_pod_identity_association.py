"""eks_pod_identity_association against the local AWS endpoint: an association with a role of one's own in four steps
(check, apply, check, apply), moved to another role in place, its tags converged, deleted; no IAM call that
changes anything (the role is the user's); an add-on's association refused by name."""

from __future__ import annotations

import json

import boto3
import pytest
from four_steps import four_steps
from module_runner import run_module

CLUSTER = "pia"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"},
                   "Action": ["sts:AssumeRole", "sts:TagSession"]}],
}  # fmt: skip


@pytest.fixture
def cluster(local_aws, cluster_role, vpc_subnets):
    local_aws.configure(delays={"cluster": 0})
    eks = boto3.client("eks")
    eks.create_cluster(name=CLUSTER, roleArn=cluster_role,
                       resourcesVpcConfig={"subnetIds": vpc_subnets["subnet_ids"][:2]})  # fmt: skip
    eks.get_waiter("cluster_active").wait(name=CLUSTER, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    iam = boto3.client("iam")
    return [iam.create_role(RoleName=f"app-{n}", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
            for n in ("one", "two")]  # fmt: skip


def params(role_arn, **extra):
    return dict({"cluster_name": CLUSTER, "namespace": "app", "service_account": "app", "role_arn": role_arn,
                 "region": "ap-northeast-2"}, **extra)  # fmt: skip


def same_role(checked, applied, again, final):
    """Check mode predicted the association but for its id and ARN; the re-runs return what the apply did."""
    ids = ("association_id", "association_arn")
    assert {k: v for k, v in checked.items() if k not in ids} == {k: v for k, v in applied.items() if k not in ids}
    assert again == applied == final


def test_four_steps_role_change_tags_and_delete(local_aws, cluster, aws_calls):
    one, two = cluster
    checked, applied, _final = four_steps(
        "eks_pod_identity_association", "association", params(one, tags={"team": "a"}), local_aws=local_aws,
        aws_calls=aws_calls, reads=("eks", "ListPodIdentityAssociations"),
        compare=same_role,
    )  # fmt: skip
    assert [c["action"] for c in checked["changes"]] == ["create_association"]
    association = applied["association"]
    assert association["role_arn"] == one and association["tags"] == {"team": "a"}
    assert not [c for c in aws_calls.mutating() if c.startswith("iam:")]  # nothing of IAM: the role is the user's
    live = boto3.client("eks").describe_pod_identity_association(clusterName=CLUSTER,
                                                                 associationId=association["association_id"])  # fmt: skip
    assert live["association"]["roleArn"] == one

    moved = run_module("eks_pod_identity_association", params(two, tags={"team": "b"}), check_mode=True, diff=True)
    assert [(c["action"], c["why"]) for c in moved["changes"]] == [
        ("update_association", f"role {one} -> {two}"), ("tag", "tags team")
    ]  # fmt: skip
    assert moved["diff"]["after"]["role_arn"] == two and moved["diff"]["after"]["tags"] == {"team": "b"}
    done = run_module("eks_pod_identity_association", params(two, tags={"team": "b"}))
    assert done["association"]["association_id"] == association["association_id"]  # in place
    assert done["association"]["role_arn"] == two and done["association"]["tags"] == {"team": "b"}
    assert not run_module("eks_pod_identity_association", params(two, tags={"team": "b"}))["changed"]

    absent = dict(params(None), state="absent")
    absent.pop("role_arn")
    gone = run_module("eks_pod_identity_association", absent, check_mode=True)
    assert [c["action"] for c in gone["changes"]] == ["delete_association"]
    assert run_module("eks_pod_identity_association", absent)["association"] == {}
    assert boto3.client("eks").list_pod_identity_associations(clusterName=CLUSTER)["associations"] == []
    assert not run_module("eks_pod_identity_association", absent)["changed"]


def test_bad_input_fails_before_any_call(local_aws, cluster):
    local_aws.clear_requests()
    failed = run_module("eks_pod_identity_association", params("my-role"), expect_failure=True)
    assert failed["msg"] == "role_arn: 'my-role' is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)"
    failed = run_module("eks_pod_identity_association", dict(params(cluster[0]), cluster_name="nope"),
                        expect_failure=True)  # fmt: skip
    assert failed["msg"] == "cluster_name: cluster nope was not found"
    # Absent from a cluster that is gone (a resumed teardown): nothing to delete, its associations went with it.
    gone = dict(params(None), cluster_name="nope", state="absent")
    gone.pop("role_arn")
    result = run_module("eks_pod_identity_association", gone)
    assert (result["changed"], result["changes"], result["association"]) == (False, [], {})
    assert local_aws.requests(mutating=True) == []
