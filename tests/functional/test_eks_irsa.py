"""eks_irsa and eks_irsa_info against the local AWS endpoint: every change in four steps (check, apply, check, apply)."""

from __future__ import annotations

import json

import boto3
import pytest
from four_steps import four_steps as shared_four_steps
from module_runner import run_module

CLUSTER = "irsa-demo"
CNI = "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
AWS_NODE = {"namespace": "kube-system", "name": "aws-node"}
ROLE = f"{CLUSTER}-kube-system-aws-node"
INLINE = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::bucket/*"]}],
}


def _create_cluster(name, cluster_role, vpc_subnets):
    """A cluster made with boto3, once ACTIVE (EKS publishes identity.oidc.issuer then)."""
    eks = boto3.client("eks")
    eks.create_cluster(name=name, roleArn=cluster_role, resourcesVpcConfig={"subnetIds": vpc_subnets["subnet_ids"][:2]})
    eks.get_waiter("cluster_active").wait(name=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    return eks.describe_cluster(name=name)["cluster"]


def _provider_arn(cluster):
    account = cluster["arn"].split(":")[4]
    return f"arn:aws:iam::{account}:oidc-provider/{_host(cluster)}"


def _host(cluster):
    return cluster["identity"]["oidc"]["issuer"].replace("https://", "")


@pytest.fixture(autouse=True)
def quick_clusters(local_aws):
    """Clusters become ACTIVE at once: these tests are about IAM, not about waiting."""
    previous = local_aws.post("/_aews/config", {})["delays"]["cluster"]
    local_aws.post("/_aews/config", {"delays": {"cluster": 0}})
    yield
    local_aws.post("/_aews/config", {"delays": {"cluster": previous}})


@pytest.fixture
def cluster(local_aws, cluster_role, vpc_subnets):
    """A cluster made with boto3 and its IAM OIDC provider."""
    created = _create_cluster(CLUSTER, cluster_role, vpc_subnets)
    boto3.client("iam").create_open_id_connect_provider(
        Url=created["identity"]["oidc"]["issuer"], ClientIDList=["sts.amazonaws.com"]
    )
    return created


def run(params, check=False, diff=False, module="eks_irsa", **kwargs):
    return run_module(module, dict(params), check_mode=check, diff=diff, **kwargs)


def four_steps(aws_calls, params):
    """The shared four steps of eks_irsa; returns (checked, applied)."""
    return shared_four_steps("eks_irsa", "role", params, aws_calls=aws_calls, reads=("iam", "GetRole"))[:2]


def _live_role(name):
    iam = boto3.client("iam")
    try:
        role = iam.get_role(RoleName=name)["Role"]
    except iam.exceptions.NoSuchEntityException:
        return None
    role["Attached"] = sorted(
        p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    )
    role["Inline"] = {
        n: iam.get_role_policy(RoleName=name, PolicyName=n)["PolicyDocument"]
        for n in iam.list_role_policies(RoleName=name)["PolicyNames"]
    }
    role["TagMap"] = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=name)["Tags"]}
    return role


def _eksctl_trust(cluster, namespace="kube-system", name="aws-node"):
    host = _host(cluster)
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": _provider_arn(cluster)},
                "Action": ["sts:AssumeRoleWithWebIdentity"],
                "Condition": {
                    "StringEquals": {
                        f"{host}:sub": f"system:serviceaccount:{namespace}:{name}",
                        f"{host}:aud": "sts.amazonaws.com",
                    }
                },
            }
        ],
    }


def _comparable(role):
    """A returned role without what check mode cannot know before creation."""
    return {k: v for k, v in role.items() if k not in ("role_id", "create_date")}


# ---------------------------------------------------------------- irsa mode
def test_missing_oidc_provider_fails_before_any_change(local_aws, cluster_role, vpc_subnets, aws_calls):
    _create_cluster(CLUSTER, cluster_role, vpc_subnets)
    aws_calls.clear()
    result = run({"cluster_name": CLUSTER, "service_accounts": [AWS_NODE]}, expect_failure=True)
    assert "no IAM OIDC provider" in result["msg"]
    assert "aews.eks.eks_oidc_provider" in result["msg"]
    assert aws_calls.mutating() == []
    assert _live_role(ROLE) is None

    # check mode warns instead: an earlier task of the same run may only have predicted the provider
    checked = run({"cluster_name": CLUSTER, "service_accounts": [AWS_NODE]}, check=True)
    assert checked["changed"] is True and checked["role"]["name"] == ROLE
    assert "no IAM OIDC provider" in json.dumps(checked.get("warnings")), checked.keys()
    assert aws_calls.mutating() == []


def test_create_four_steps_trust_exactly_as_eksctl(local_aws, cluster, aws_calls):
    params = {
        "cluster_name": CLUSTER,
        "service_accounts": [AWS_NODE],
        "well_known_policies": ["vpc-cni"],
        "inline_policies": {"read-bucket": json.dumps(INLINE)},
        "tags": {"team": "platform"},
    }
    checked, applied = four_steps(aws_calls, params)
    role = applied["role"]
    assert _comparable(checked["role"]) == _comparable(role)
    assert checked["diff"]["before"] == {}
    assert applied["diff"]["after"] == role

    live = _live_role(ROLE)
    assert live["AssumeRolePolicyDocument"] == _eksctl_trust(cluster)
    assert role["trust_policy"] == _eksctl_trust(cluster)
    assert live["Attached"] == [CNI] and role["managed_policies"] == [CNI]
    assert live["Inline"] == {"read-bucket": INLINE} and role["inline_policies"] == {"read-bucket": INLINE}
    assert live["TagMap"] == {
        "team": "platform",
        "aews.eks/cluster-name": CLUSTER,
        "aews.eks/service-accounts": "kube-system/aws-node",
        "aews.eks/service-account-mode": "irsa",
    }
    assert role["arn"] == live["Arn"] and role["name"] == ROLE

    manifests = applied["service_account_manifests"]
    assert manifests == checked["service_account_manifests"]
    from kubernetes.client import ApiClient

    account = ApiClient().deserialize(json.dumps(manifests[0]), "V1ServiceAccount", "application/json")
    assert (account.metadata.namespace, account.metadata.name) == ("kube-system", "aws-node")
    assert account.metadata.annotations == {"eks.amazonaws.com/role-arn": live["Arn"]}


def test_update_four_steps(local_aws, cluster, aws_calls):
    run({"cluster_name": CLUSTER, "service_accounts": [AWS_NODE], "well_known_policies": ["vpc-cni"]})
    boundary = boto3.client("iam").create_policy(
        PolicyName="boundary", PolicyDocument=json.dumps({**INLINE, "Statement": [{**INLINE["Statement"][0]}]})
    )["Policy"]["Arn"]
    params = {
        "cluster_name": CLUSTER,
        "role_name": ROLE,
        "service_accounts": [AWS_NODE, {"namespace": "kube-system", "name": "aws-node-2"}],
        "managed_policies": [READ_ONLY],
        "max_session_duration": 7200,
        "description": "vpc-cni",
        "permissions_boundary": boundary,
        "audiences": ["sts.amazonaws.com"],
    }
    checked, applied = four_steps(aws_calls, params)
    assert [c["action"] for c in checked["changes"]] == [
        "update_trust",
        "update_role",
        "put_boundary",
        "attach_policy",
        "tag_role",
    ]
    assert _comparable(checked["role"]) == _comparable(applied["role"])
    before, after = checked["diff"]["before"], checked["diff"]["after"]
    assert (before["max_session_duration"], after["max_session_duration"]) == (3600, 7200)
    assert (before["permissions_boundary"], after["permissions_boundary"]) == (None, boundary)
    assert before["managed_policies"] == [CNI] and after["managed_policies"] == [CNI, READ_ONLY]
    live = _live_role(ROLE)
    sub = live["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]["StringEquals"][f"{_host(cluster)}:sub"]
    assert sub == ["system:serviceaccount:kube-system:aws-node", "system:serviceaccount:kube-system:aws-node-2"]
    assert live["MaxSessionDuration"] == 7200 and live["Description"] == "vpc-cni"
    assert live["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary
    assert live["Attached"] == sorted([CNI, READ_ONLY])  # no purge: the CNI policy stays
    assert live["TagMap"]["aews.eks/service-accounts"] == "kube-system/aws-node kube-system/aws-node-2"
    assert len(applied["service_account_manifests"]) == 2

    # purge: only what is asked for remains; the boundary is removed with ""
    purge = dict(params, purge_policies=True, permissions_boundary="")
    checked, applied = four_steps(aws_calls, purge)
    assert [c["action"] for c in checked["changes"]] == ["delete_boundary", "detach_policy"]
    live = _live_role(ROLE)
    assert live["Attached"] == [READ_ONLY]
    assert "PermissionsBoundary" not in live


def test_foreign_trust_statements_are_kept_unless_purged(local_aws, cluster, aws_calls):
    run({"cluster_name": CLUSTER, "service_accounts": [AWS_NODE]})
    foreign = {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    iam = boto3.client("iam")
    document = _eksctl_trust(cluster)
    document["Statement"].append(foreign)
    iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=json.dumps(document))

    result = run({"cluster_name": CLUSTER, "service_accounts": [AWS_NODE]})
    assert result["changed"] is False, result["changes"]

    params = {"cluster_name": CLUSTER, "service_accounts": [AWS_NODE], "purge_trust": True}
    checked, applied = four_steps(aws_calls, params)
    assert [c["action"] for c in checked["changes"]] == ["update_trust"]
    assert _live_role(ROLE)["AssumeRolePolicyDocument"] == _eksctl_trust(cluster)


def test_pattern_role_trusts_only_the_pattern(local_aws, cluster, aws_calls):
    params = {
        "cluster_name": CLUSTER,
        "role_name": "irsa-demo-reports",
        "service_accounts": [{"namespace": "reports", "name": "*"}],
    }
    checked, applied = four_steps(aws_calls, params)
    host = _host(cluster)
    assert _live_role("irsa-demo-reports")["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Effect": "Allow",
            "Principal": {"Federated": _provider_arn(cluster)},
            "Action": ["sts:AssumeRoleWithWebIdentity"],
            "Condition": {
                "StringEquals": {f"{host}:aud": "sts.amazonaws.com"},
                "StringLike": {f"{host}:sub": "system:serviceaccount:reports:*"},
            },
        }
    ]
    assert applied["service_account_manifests"] == []
    assert _live_role("irsa-demo-reports")["TagMap"]["aews.eks/service-accounts"] == "reports/@"


def test_pattern_without_role_name_fails_before_any_call(local_aws, cluster, aws_calls):
    aws_calls.clear()
    result = run(
        {"cluster_name": CLUSTER, "service_accounts": [{"namespace": "reports", "name": "*"}]}, expect_failure=True
    )
    assert "role_name is required" in result["msg"]
    assert aws_calls.calls == []


def test_absent_four_steps(local_aws, cluster, aws_calls):
    run(
        {
            "cluster_name": CLUSTER,
            "service_accounts": [AWS_NODE],
            "well_known_policies": ["vpc-cni", "cluster-autoscaler"],
        }
    )
    params = {"cluster_name": CLUSTER, "service_accounts": [AWS_NODE], "state": "absent"}
    aws_calls.clear()
    checked = run(params, check=True, diff=True)
    assert aws_calls.mutating() == []
    assert checked["changed"] is True and checked["role"] is None
    assert checked["diff"]["before"]["name"] == ROLE
    assert [c["action"] for c in checked["changes"]] == ["detach_policy", "delete_inline_policy", "delete_role"]
    assert _live_role(ROLE) is not None
    applied = run(params)
    assert applied["changed"] is True
    assert _live_role(ROLE) is None
    assert run(params, check=True)["changed"] is False
    assert run(params)["changed"] is False


def test_absent_leaves_a_role_this_collection_did_not_make(local_aws, cluster, aws_calls):
    boto3.client("iam").create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(_eksctl_trust(cluster)))
    aws_calls.clear()
    result = run({"cluster_name": CLUSTER, "role_name": ROLE, "state": "absent"}, expect_failure=True)
    assert "was not made by this collection" in result["msg"]
    assert aws_calls.mutating() == []
    assert _live_role(ROLE) is not None


def test_existing_role_is_adopted_and_tagged(local_aws, cluster, aws_calls):
    """A role eksctl (or anyone) made with the same trust: only the collection's tags are added."""
    boto3.client("iam").create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(_eksctl_trust(cluster)))
    checked, applied = four_steps(aws_calls, {"cluster_name": CLUSTER, "service_accounts": [AWS_NODE]})
    assert [c["action"] for c in checked["changes"]] == ["tag_role"]


def test_info_lists_only_this_clusters_collection_roles(local_aws, cluster, cluster_role, vpc_subnets):
    run({"cluster_name": CLUSTER, "service_accounts": [AWS_NODE], "well_known_policies": ["vpc-cni"]})
    run(
        {
            "cluster_name": CLUSTER,
            "role_name": "irsa-demo-reports",
            "service_accounts": [{"namespace": "reports", "name": "*"}],
        }
    )
    # a role trusting the provider that the collection did not make
    boto3.client("iam").create_role(
        RoleName="hand-made", AssumeRolePolicyDocument=json.dumps(_eksctl_trust(cluster, "a", "b"))
    )
    # a collection role for another cluster
    other = _create_cluster("other", cluster_role, vpc_subnets)
    boto3.client("iam").create_open_id_connect_provider(
        Url=other["identity"]["oidc"]["issuer"], ClientIDList=["sts.amazonaws.com"]
    )
    run({"cluster_name": "other", "service_accounts": [AWS_NODE]})

    result = run({"cluster_name": CLUSTER}, module="eks_irsa_info")
    assert result["changed"] is False
    assert [r["name"] for r in result["roles"]] == ["irsa-demo-kube-system-aws-node", "irsa-demo-reports"]
    first, second = result["roles"]
    assert first["mode"] == "irsa" and first["service_accounts"] == [AWS_NODE]
    assert first["managed_policies"] == [CNI]
    assert first["trust_policy"] == _eksctl_trust(cluster)
    assert second["service_accounts"] == [{"namespace": "reports", "name": "*"}]

    one = run({"cluster_name": CLUSTER, "role_name": "irsa-demo-reports"}, module="eks_irsa_info")
    assert [r["name"] for r in one["roles"]] == ["irsa-demo-reports"]

    # once the cluster is gone (teardown), its roles are still found by their tag
    eks = boto3.client("eks")
    eks.delete_cluster(name=CLUSTER)
    eks.get_waiter("cluster_deleted").wait(name=CLUSTER, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    after = run({"cluster_name": CLUSTER}, module="eks_irsa_info")
    assert [r["name"] for r in after["roles"]] == ["irsa-demo-kube-system-aws-node", "irsa-demo-reports"]


# ---------------------------------------------------------------- pod identity mode
def _pod_identity_supported():
    eks = boto3.client("eks")
    try:
        eks.list_pod_identity_associations(clusterName=CLUSTER)
    except Exception as e:  # an endpoint without EKS Pod Identity answers "not implemented"
        if "ResourceNotFound" in str(e):
            return True
        return False
    return True


def test_pod_identity_four_steps(local_aws, cluster, aws_calls):
    if not _pod_identity_supported():
        pytest.skip("the local AWS endpoint does not implement EKS Pod Identity associations yet")
    sa = {"namespace": "kube-system", "name": "ebs-csi-controller-sa"}
    name = f"{CLUSTER}-kube-system-ebs-csi-controller-sa"
    params = {
        "cluster_name": CLUSTER,
        "mode": "pod_identity",
        "service_accounts": [sa],
        "well_known_policies": ["ebs-csi"],
    }
    checked, applied = four_steps(aws_calls, params)
    assert [c["action"] for c in checked["changes"]] == ["create_role", "attach_policy", "create_association"]
    live = _live_role(name)
    assert live["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "pods.eks.amazonaws.com"},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
        }
    ]
    eks = boto3.client("eks")
    associations = eks.list_pod_identity_associations(clusterName=CLUSTER)["associations"]
    assert [(a["namespace"], a["serviceAccount"]) for a in associations] == [("kube-system", "ebs-csi-controller-sa")]
    described = eks.describe_pod_identity_association(
        clusterName=CLUSTER, associationId=associations[0]["associationId"]
    )["association"]
    assert described["roleArn"] == live["Arn"]
    assert applied["pod_identity_associations"][0]["role_arn"] == live["Arn"]
    assert "annotations" not in applied["service_account_manifests"][0]["metadata"]

    absent = dict(params, state="absent")
    aws_calls.clear()
    checked = run(absent, check=True)
    assert aws_calls.mutating() == []
    assert [c["action"] for c in checked["changes"]][0] == "delete_association"
    assert run(absent)["changed"] is True
    assert eks.list_pod_identity_associations(clusterName=CLUSTER)["associations"] == []
    assert _live_role(name) is None
    assert run(absent)["changed"] is False
