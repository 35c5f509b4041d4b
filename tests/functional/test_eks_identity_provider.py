"""eks_identity_provider and eks_identity_provider_info against the local AWS endpoint: associate in four steps, tags
in place, an immutable change (disassociate, then associate, said in check mode), one config per cluster, bad input
refused before any call, disassociate."""

from __future__ import annotations

import boto3
import pytest
from four_steps import four_steps
from four_steps import predicted
from module_runner import run_module

CLUSTER = "idp"
ISSUER = "https://issuer.example.com/pool"


@pytest.fixture
def cluster(local_aws, cluster_role, vpc_subnets, monkeypatch):
    """An ACTIVE cluster; updates (associations) take 0.2 s x scale."""
    local_aws.post("/_aews/config", {"scale": 0.05})
    monkeypatch.setenv("AEWS_EKS_WAIT_DELAY", "0.1")
    eks = boto3.client("eks")
    eks.create_cluster(name=CLUSTER, roleArn=cluster_role, resourcesVpcConfig={"subnetIds": vpc_subnets["subnet_ids"]})
    eks.get_waiter("cluster_active").wait(name=CLUSTER, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    yield eks
    local_aws.post("/_aews/reset")


def run(params, check=False, diff=False, **kwargs):
    return run_module("eks_identity_provider", dict(cluster_name=CLUSTER, **params), check_mode=check, diff=diff,
                      **kwargs)  # fmt: skip


def mutations(local_aws, start):
    return [r["operation"] for r in local_aws.requests(mutating=True)[start:]]


def describe(eks, name="corp"):
    return eks.describe_identity_provider_config(
        clusterName=CLUSTER, identityProviderConfig={"type": "oidc", "name": name}
    )["identityProviderConfig"]["oidc"]


def test_identity_provider_lifecycle(local_aws, cluster):
    eks = cluster
    params = dict(
        name="corp",
        issuer_url=ISSUER,
        client_id="app",
        username_claim="email",
        groups_claim="groups",
        groups_prefix="oidc:",
        required_claims={"hd": "example.com"},
        tags={"team": "t"},
    )
    fields = ("identity_provider_config_name", "issuer_url", "client_id", "username_claim", "groups_claim",
              "groups_prefix", "required_claims", "tags", "status", "type")  # fmt: skip
    checked, applied, _final = four_steps(
        "eks_identity_provider",
        "identity_provider",
        dict(cluster_name=CLUSTER, **params),
        predicted(*fields),
        local_aws=local_aws,
    )
    assert [c["action"] for c in checked["changes"]] == ["associate"]
    assert checked["diff"]["before"] == {} and checked["diff"]["after"]["client_id"] == "app"
    config = applied["identity_provider"]
    assert config["status"] == "ACTIVE" and config["identity_provider_config_arn"].startswith("arn:aws:eks:")
    assert len(applied["updates"]) == 1
    update = eks.describe_update(name=CLUSTER, updateId=applied["updates"][0])["update"]
    assert (update["type"], update["status"]) == ("AssociateIdentityProviderConfig", "Successful")
    aws = describe(eks)
    assert (aws["issuerUrl"], aws["clientId"], aws["groupsPrefix"], aws["requiredClaims"]) == (
        ISSUER, "app", "oidc:", {"hd": "example.com"}
    )  # fmt: skip
    assert eks.list_tags_for_resource(resourceArn=aws["identityProviderConfigArn"])["tags"] == {"team": "t"}

    # Tags change in place: no new association.
    start = len(local_aws.requests(mutating=True))
    retag = run(dict(params, tags={"env": "dev"}))
    assert [c["action"] for c in retag["changes"]] == ["untag", "tag"]
    assert mutations(local_aws, start) == ["UntagResource", "TagResource"]
    assert retag["identity_provider"]["identity_provider_config_arn"] == config["identity_provider_config_arn"]
    assert describe(eks)["tags"] == {"env": "dev"}

    # The info module lists what the module made.
    info = run_module("eks_identity_provider_info", dict(cluster_name=CLUSTER))
    assert [c["identity_provider_config_name"] for c in info["identity_providers"]] == ["corp"]
    assert info["identity_providers"][0]["client_id"] == "app"
    assert run_module("eks_identity_provider_info", dict(cluster_name=CLUSTER, name="none"))["identity_providers"] == []
    missing = run_module("eks_identity_provider_info", dict(cluster_name="nope"), expect_failure=True)
    assert missing["msg"] == "Cluster nope does not exist"

    # eks_cluster reads them in its own run when asked (the cluster role's identity provider stage then reads none),
    # in check mode too; its listing is the same as the info module's.
    for check in (True, False):
        start = len(local_aws.requests())
        read = run_module("eks_cluster", dict(name=CLUSTER, read_identity_providers=True), check_mode=check)
        assert not read["changed"] and read["identity_providers"] == info["identity_providers"]
        assert [r["operation"] for r in local_aws.requests()[start:]] == [
            "DescribeCluster", "ListIdentityProviderConfigs", "DescribeIdentityProviderConfig"
        ]  # fmt: skip
    assert "identity_providers" not in run_module("eks_cluster", dict(name=CLUSTER))


def test_an_immutable_change_disassociates_then_associates(local_aws, cluster):
    eks = cluster
    params = dict(name="corp", issuer_url=ISSUER, client_id="app", tags={"team": "t"})
    first = run(params)
    start = len(local_aws.requests(mutating=True))
    changed = dict(params, client_id="other", username_prefix="-")
    checked = run(changed, check=True, diff=True)
    assert mutations(local_aws, start) == []
    assert [(c["action"], c["call"]) for c in checked["changes"]] == [
        ("disassociate", "disassociate_identity_provider_config"),
        ("associate", "associate_identity_provider_config"),
    ]
    why = checked["changes"][0]["why"]
    assert "client_id 'app' -> 'other'" in why and "username_prefix None -> '-'" in why
    assert "EKS cannot change an identity provider config" in why
    assert checked["diff"]["before"]["client_id"] == "app" and checked["diff"]["after"]["client_id"] == "other"

    applied = run(changed)
    assert mutations(local_aws, start) == ["DisassociateIdentityProviderConfig", "AssociateIdentityProviderConfig"]
    assert applied["identity_provider"]["client_id"] == "other" and applied["identity_provider"]["status"] == "ACTIVE"
    assert (
        applied["identity_provider"]["identity_provider_config_arn"]
        != first["identity_provider"]["identity_provider_config_arn"]
    )
    assert applied["identity_provider"]["tags"] == {"team": "t"}
    kinds = [eks.describe_update(name=CLUSTER, updateId=u)["update"]["type"] for u in applied["updates"]]
    assert kinds == ["DisassociateIdentityProviderConfig", "AssociateIdentityProviderConfig"]
    for check in (True, False):
        assert run(changed, check=check)["changed"] is False

    # One config per cluster: a second name is refused before any call, naming the one there.
    start = len(local_aws.requests(mutating=True))
    refused = run(dict(params, name="second"), expect_failure=True)
    assert "already has the OIDC identity provider config corp" in refused["msg"]
    assert mutations(local_aws, start) == []

    # Disassociate: check, apply, then nothing to do.
    gone = run(dict(name="corp", state="absent"), check=True)
    assert gone["changed"] is True and gone["identity_provider"] == {} and mutations(local_aws, start) == []
    gone = run(dict(name="corp", state="absent"))
    assert [c["action"] for c in gone["changes"]] == ["disassociate"]
    assert mutations(local_aws, start) == ["DisassociateIdentityProviderConfig"]
    assert gone["identity_provider"] == {}
    assert eks.list_identity_provider_configs(clusterName=CLUSTER)["identityProviderConfigs"] == []
    for check in (True, False):
        assert run(dict(name="corp", state="absent"), check=check)["changed"] is False


def test_bad_input_is_refused_before_any_call(local_aws, cluster):
    local_aws.clear_requests()
    failed = run(
        dict(name="corp", issuer_url="http://issuer.example.com", groups_prefix="system:oidc"), expect_failure=True
    )
    assert failed["problems"] == [
        "client_id: is required",
        "issuer_url: 'http://issuer.example.com' must be an https:// URL",
        "groups_prefix: 'system:oidc': EKS refuses a prefix containing system:",
    ]
    assert local_aws.requests() == []
    missing = run_module(
        "eks_identity_provider",
        dict(cluster_name="nope", name="corp", issuer_url=ISSUER, client_id="app"),
        expect_failure=True,
    )
    assert missing["msg"] == "Cluster nope does not exist"
