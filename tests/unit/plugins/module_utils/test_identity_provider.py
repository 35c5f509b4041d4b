"""identity_provider: validation, plan and prediction of eks_identity_provider (pure)."""

from __future__ import annotations

import pytest
from ansible_collections.aews.eks.plugins.module_utils._eks import identity_provider as idp
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError

ISSUER = "https://issuer.example.com/pool"
ARN = "arn:aws:eks:ap-northeast-2:123456789012:identityproviderconfig/c1/oidc/corp/1"
CURRENT = {
    "identity_provider_config_name": "corp",
    "identity_provider_config_arn": ARN,
    "cluster_name": "c1",
    "type": "oidc",
    "issuer_url": ISSUER,
    "client_id": "app",
    "username_claim": "email",
    "groups_claim": "groups",
    "required_claims": {"hd": "example.com"},
    "tags": {"team": "t"},
    "status": "ACTIVE",
}


def want(**kwargs):
    params = dict(cluster_name="c1", name="corp", issuer_url=ISSUER, client_id="app", username_claim="email",
                  username_prefix=None, groups_claim="groups", groups_prefix=None,
                  required_claims={"hd": "example.com"}, tags={"team": "t"}, purge_tags=True,
                  state="present")  # fmt: skip
    params.update(kwargs)
    return idp.desired(params)


def test_the_same_config_is_no_change():
    assert idp.plan(CURRENT, want()) == []
    # Options left unset are not compared.
    assert idp.plan(CURRENT, want(username_claim=None, groups_claim=None, required_claims=None, tags=None)) == []


def test_a_new_config_is_associated_with_its_options_and_tags():
    changes = idp.plan({}, want(username_prefix="-"))
    assert [(c["action"], c["call"]) for c in changes] == [("associate", "associate_identity_provider_config")]
    assert changes[0]["params"] == {
        "clusterName": "c1",
        "oidc": {
            "identityProviderConfigName": "corp",
            "issuerUrl": ISSUER,
            "clientId": "app",
            "usernameClaim": "email",
            "usernamePrefix": "-",
            "groupsClaim": "groups",
            "requiredClaims": {"hd": "example.com"},
        },
        "tags": {"team": "t"},
    }
    predicted = idp.predict({}, want(username_prefix="-"), changes)
    assert predicted["status"] == "ACTIVE" and predicted["username_prefix"] == "-"
    assert predicted["required_claims"] == {"hd": "example.com"} and predicted["tags"] == {"team": "t"}
    assert "groups_prefix" not in predicted
    assert idp.predict({}, want(), changes, wait_for=False)["status"] == "CREATING"


@pytest.mark.parametrize(
    "change, why",
    [
        (dict(client_id="other"), "client_id 'app' -> 'other'"),
        (dict(issuer_url=ISSUER + "2"), f"issuer_url '{ISSUER}' -> '{ISSUER}2'"),
        (dict(required_claims={}), "required_claims {'hd': 'example.com'} -> {}"),
        (dict(groups_prefix="oidc:"), "groups_prefix None -> 'oidc:'"),
    ],
)
def test_a_different_option_disassociates_then_associates_again(change, why):
    changes = idp.plan(CURRENT, want(**change))
    assert [c["action"] for c in changes] == ["disassociate", "associate"]
    assert changes[0]["why"] == f"{why}: {idp.REPLACE_WHY}"
    assert changes[0]["params"] == {"cluster_name": "c1", "name": "corp"}
    predicted = idp.predict(CURRENT, want(**change), changes)
    assert "identity_provider_config_arn" not in predicted  # a new association gets a new ARN
    key = next(iter(change))
    assert predicted[key] == change[key]


def test_a_replacement_keeps_other_tags_without_purge():
    changes = idp.plan(CURRENT, want(client_id="other", tags={"env": "dev"}, purge_tags=False))
    assert changes[1]["params"]["tags"] == {"team": "t", "env": "dev"}
    changes = idp.plan(CURRENT, want(client_id="other", tags={"env": "dev"}))
    assert changes[1]["params"]["tags"] == {"env": "dev"}


def test_tags_change_in_place():
    changes = idp.plan(CURRENT, want(tags={"env": "dev"}))
    assert [(c["action"], c["params"]) for c in changes] == [
        ("untag", {"arn": ARN, "keys": ["team"]}),
        ("tag", {"arn": ARN, "tags": {"env": "dev"}}),
    ]
    assert idp.predict(CURRENT, want(tags={"env": "dev"}), changes)["tags"] == {"env": "dev"}
    assert idp.plan(CURRENT, want(tags={"env": "dev"}, purge_tags=False))[0]["action"] == "tag"


def test_absent():
    changes = idp.plan(CURRENT, want(state="absent"))
    assert [(c["action"], c["why"]) for c in changes] == [("disassociate", "state=absent")]
    assert idp.predict(CURRENT, want(state="absent"), changes) == {}
    assert idp.plan({}, want(state="absent")) == []
    assert idp.plan(dict(CURRENT, status="DELETING"), want(state="absent")) == []


def test_a_config_being_disassociated_is_associated_again():
    changes = idp.plan(dict(CURRENT, status="DELETING"), want())
    assert [(c["action"], c["why"]) for c in changes] == [("associate", "being disassociated")]


def test_another_config_of_the_cluster_is_refused_unless_it_is_going():
    other = dict(CURRENT, identity_provider_config_name="old")
    with pytest.raises(EksError, match="already has the OIDC identity provider config old.*one per cluster"):
        idp.plan({}, want(), [other])
    assert [c["action"] for c in idp.plan({}, want(), [dict(other, status="DELETING")])] == ["associate"]


def test_every_problem_of_the_input_is_reported_at_once():
    with pytest.raises(EksError) as raised:
        idp.validate(
            want(
                name="has space",
                issuer_url="http://issuer",
                client_id="",
                groups_prefix="system:x",
                required_claims={"k" * 64: "v", "ok": ""},
            )
        )
    assert raised.value.kwargs["problems"] == [
        "name: 'has space' must be 1 to 100 characters, without spaces or /",
        "client_id: is required",
        "issuer_url: 'http://issuer' must be an https:// URL",
        "groups_prefix: 'system:x': EKS refuses a prefix containing system:",
        f"required_claims.{'k' * 64}: claim names are 1 to 63 characters",
        "required_claims.ok: values are 1 to 253 characters",
    ]
    problems = idp.config_problems({"issuer_url": "https://x/?a=1", "client_id": "c"}, lambda k: f"p.{k}")
    assert problems == ["p.issuer_url: 'https://x/?a=1': query parameters and fragments are not allowed"]
    idp.validate(want(state="absent", issuer_url=None, client_id=None))  # absent needs only the name


def test_normalize_keeps_claim_names_as_written():
    config = {"identityProviderConfigName": "corp", "issuerUrl": ISSUER, "clientId": "app",
              "requiredClaims": {"custom:Claim": "x"}, "tags": {"Team": "t"}, "status": "ACTIVE"}  # fmt: skip
    out = idp.normalize(config, "c1")
    assert out["required_claims"] == {"custom:Claim": "x"} and out["tags"] == {"Team": "t"}
    assert out["identity_provider_config_name"] == "corp" and out["cluster_name"] == "c1" and out["type"] == "oidc"
    assert idp.normalize(None) == {}
