"""eks_oidc_provider against the local AWS endpoint: every change in four steps (check, apply, check, apply)."""

from __future__ import annotations

import json

import boto3
import pytest
from four_steps import four_steps as shared_four_steps
from module_runner import run_module

CLUSTER = "oidc-demo"


@pytest.fixture(autouse=True)
def quick_clusters(local_aws):
    """Clusters become ACTIVE at once: these tests are about IAM, not about waiting."""
    previous = local_aws.post("/_aews/config", {})["delays"]["cluster"]
    local_aws.post("/_aews/config", {"delays": {"cluster": 0}})
    yield
    local_aws.post("/_aews/config", {"delays": {"cluster": previous}})


@pytest.fixture
def cluster(local_aws, cluster_role, vpc_subnets):
    """A cluster made with boto3 (its description carries identity.oidc.issuer)."""
    eks = boto3.client("eks")
    eks.create_cluster(
        name=CLUSTER, roleArn=cluster_role, resourcesVpcConfig={"subnetIds": vpc_subnets["subnet_ids"][:2]}
    )
    # EKS publishes identity.oidc.issuer once the cluster is ACTIVE
    eks.get_waiter("cluster_active").wait(name=CLUSTER, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    return eks.describe_cluster(name=CLUSTER)["cluster"]


def _provider_arn(cluster):
    account = cluster["arn"].split(":")[4]
    issuer = cluster["identity"]["oidc"]["issuer"].replace("https://", "")
    return f"arn:aws:iam::{account}:oidc-provider/{issuer}"


def _iam_provider(arn):
    iam = boto3.client("iam")
    try:
        provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    except iam.exceptions.NoSuchEntityException:
        return None
    except Exception as e:  # the local endpoint answers NotFoundException
        if "NotFound" in str(e) or "NoSuchEntity" in str(e):
            return None
        raise
    tags = iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn)["Tags"]
    provider["Tags"] = {t["Key"]: t["Value"] for t in tags}
    return provider


def run(params, check=False, diff=False, **kwargs):
    return run_module("eks_oidc_provider", dict(params), check_mode=check, diff=diff, **kwargs)


def four_steps(aws_calls, params):
    """The shared four steps of eks_oidc_provider; returns (checked, applied)."""
    reads = ("iam", "GetOpenIDConnectProvider")
    return shared_four_steps("eks_oidc_provider", "provider", params, aws_calls=aws_calls, reads=reads)[:2]


def _trusting_role(name, provider_arn, issuer, tags):
    iam = boto3.client("iam")
    host = issuer.replace("https://", "")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": ["sts:AssumeRoleWithWebIdentity"],
                "Condition": {"StringEquals": {f"{host}:sub": "system:serviceaccount:a:b"}},
            }
        ],
    }
    iam.create_role(
        RoleName=name,
        AssumeRolePolicyDocument=json.dumps(trust),
        Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
    )


def test_create_four_steps(local_aws, cluster, aws_calls):
    arn = _provider_arn(cluster)
    checked, applied = four_steps(aws_calls, {"cluster_name": CLUSTER})
    predicted = checked["provider"]
    assert predicted["arn"] == arn
    assert predicted["client_ids"] == ["sts.amazonaws.com"]
    assert predicted["tags"] == {"aews.eks/cluster-name": CLUSTER}
    assert checked["diff"]["before"] == {}

    provider = applied["provider"]
    assert provider["arn"] == arn
    assert provider["url"] == cluster["identity"]["oidc"]["issuer"].replace("https://", "")
    assert provider["client_ids"] == ["sts.amazonaws.com"]
    assert provider["thumbprints"] == []
    assert applied["diff"]["after"] == provider
    for key in ("arn", "url", "client_ids", "thumbprints", "tags"):
        assert predicted[key] == provider[key], key
    live = _iam_provider(arn)
    assert live["ClientIDList"] == ["sts.amazonaws.com"]
    assert live["Tags"] == {"aews.eks/cluster-name": CLUSTER}


def test_thumbprints_and_tags_four_steps(local_aws, cluster, aws_calls):
    run({"cluster_name": CLUSTER})
    arn = _provider_arn(cluster)
    params = {
        "cluster_name": CLUSTER,
        "thumbprints": ["9E99A48A9960B14926BB7F3B02E22DA2B0AB7280"],
        "tags": {"team": "platform"},
    }
    checked, applied = four_steps(aws_calls, params)
    assert [c["action"] for c in checked["changes"]] == ["update_thumbprints", "tag_provider"]
    assert applied["provider"]["thumbprints"] == ["9E99A48A9960B14926BB7F3B02E22DA2B0AB7280"]
    assert applied["provider"]["tags"] == {"aews.eks/cluster-name": CLUSTER, "team": "platform"}
    live = _iam_provider(arn)
    assert live["ThumbprintList"] == ["9E99A48A9960B14926BB7F3B02E22DA2B0AB7280"]
    assert live["Tags"] == {"aews.eks/cluster-name": CLUSTER, "team": "platform"}

    # thumbprints not given: left as they are; tags purged, but never the collection's own tag
    checked, applied = four_steps(aws_calls, {"cluster_name": CLUSTER, "tags": {}})
    assert [c["action"] for c in applied["changes"]] == ["untag_provider"]
    live = _iam_provider(arn)
    assert live["ThumbprintList"] == ["9E99A48A9960B14926BB7F3B02E22DA2B0AB7280"]
    assert live["Tags"] == {"aews.eks/cluster-name": CLUSTER}


@pytest.mark.parametrize(
    "params, message",
    [
        ({"thumbprints": ["abc"]}, "thumbprints[0]"),
        ({"client_ids": []}, "client_ids"),
    ],
)
def test_bad_input_fails_before_any_call(local_aws, cluster, aws_calls, params, message):
    aws_calls.clear()
    result = run(dict(cluster_name=CLUSTER, **params), expect_failure=True)
    assert message in result["msg"]
    assert aws_calls.calls == []


def test_missing_cluster_fails(local_aws, aws_calls):
    aws_calls.clear()
    result = run({"cluster_name": "nope"}, expect_failure=True)
    assert "cluster nope was not found" in result["msg"]
    assert aws_calls.mutating() == []


def test_absent_four_steps(local_aws, cluster, aws_calls):
    run({"cluster_name": CLUSTER})
    arn = _provider_arn(cluster)
    params = {"cluster_name": CLUSTER, "state": "absent"}
    aws_calls.clear()
    checked = run(params, check=True, diff=True)
    assert aws_calls.mutating() == []
    assert checked["changed"] is True and checked["provider"] is None
    assert checked["diff"]["before"]["arn"] == arn
    assert _iam_provider(arn) is not None
    applied = run(params)
    assert applied["changed"] is True
    assert _iam_provider(arn) is None
    assert run(params, check=True)["changed"] is False
    assert run(params)["changed"] is False


def test_absent_refuses_while_collection_roles_trust_it(local_aws, cluster, aws_calls):
    run({"cluster_name": CLUSTER})
    arn = _provider_arn(cluster)
    issuer = cluster["identity"]["oidc"]["issuer"]
    _trusting_role("ours", arn, issuer, {"aews.eks/cluster-name": CLUSTER})
    _trusting_role("someone-elses", arn, issuer, {})
    aws_calls.clear()
    result = run({"cluster_name": CLUSTER, "state": "absent"}, expect_failure=True)
    assert "ours" in result["msg"] and "someone-elses" not in result["msg"]
    assert "force" in result["msg"]
    assert aws_calls.mutating() == []
    assert _iam_provider(arn) is not None

    forced = run({"cluster_name": CLUSTER, "state": "absent", "force": True})
    assert forced["changed"] is True
    assert _iam_provider(arn) is None


def test_absent_after_the_cluster_is_gone_finds_the_provider_by_tag(local_aws, cluster):
    run({"cluster_name": CLUSTER})
    arn = _provider_arn(cluster)
    boto3.client("eks").delete_cluster(name=CLUSTER)
    result = run({"cluster_name": CLUSTER, "state": "absent"})
    assert result["changed"] is True
    assert [(c["action"], c["call"], c["params"]) for c in result["changes"]] == [
        ("delete_provider", "delete_open_id_connect_provider", {"OpenIDConnectProviderArn": arn})
    ]
    assert _iam_provider(arn) is None


def test_client_ids_change_in_place(local_aws, cluster, aws_calls):
    """Client IDs are added and removed in place: the provider (its ARN, its tags) stays."""
    created = run({"cluster_name": CLUSTER, "tags": {"team": "a"}})["provider"]
    params = {"cluster_name": CLUSTER, "client_ids": ["sts.amazonaws.com", "vault"], "tags": {"team": "a"}}
    checked, applied = four_steps(aws_calls, params)
    assert [(c["action"], c["params"]["ClientID"]) for c in checked["changes"]] == [("add_client_id", "vault")]
    assert checked["diff"]["before"]["client_ids"] == ["sts.amazonaws.com"]
    assert checked["provider"]["client_ids"] == ["sts.amazonaws.com", "vault"]
    assert applied["provider"]["arn"] == created["arn"]
    assert _iam_provider(created["arn"])["ClientIDList"] == ["sts.amazonaws.com", "vault"]

    params["client_ids"] = ["vault", "argo"]
    checked, applied = four_steps(aws_calls, params)
    assert [(c["action"], c["params"]["ClientID"]) for c in checked["changes"]] == [
        ("add_client_id", "argo"),
        ("remove_client_id", "sts.amazonaws.com"),
    ]
    assert sorted(_iam_provider(created["arn"])["ClientIDList"]) == ["argo", "vault"]
    assert sorted(applied["provider"]["client_ids"]) == ["argo", "vault"]
    assert _iam_provider(created["arn"])["Tags"]["team"] == "a"
