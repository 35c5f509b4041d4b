"""The cluster's IAM OIDC provider: names, plan to change records, predict (pure)."""

from __future__ import annotations

import pytest

from ansible_collections.aews.eks.plugins.module_utils._eks import oidc_provider as op
from ansible_collections.aews.eks.plugins.module_utils._eks.change import public
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError

ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789"
HOST = "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789"
PROVIDER = f"arn:aws:iam::111122223333:oidc-provider/{HOST}"
RESOURCE = f"IAM OIDC provider {PROVIDER}"
CLUSTER = {
    "name": "demo",
    "arn": "arn:aws:eks:eu-west-1:111122223333:cluster/demo",
    "status": "ACTIVE",
    "identity": {"oidc": {"issuer": ISSUER}},
}

PROVIDER_VIEW = {
    "arn": PROVIDER,
    "url": HOST,
    "client_ids": ["sts.amazonaws.com"],
    "thumbprints": ["9E99A48A9960B14926BB7F3B02E22DA2B0AB7280"],
    "create_date": None,
    "tags": {"aews.eks/cluster-name": "demo"},
}


def _desired(**overrides):
    desired = {
        "arn": PROVIDER,
        "url": ISSUER,
        "client_ids": ["sts.amazonaws.com"],
        "thumbprints": None,
        "tags": {"aews.eks/cluster-name": "demo"},
        "purge_tags": False,
    }
    desired.update(overrides)
    return desired


# ---------------------------------------------------------------- names
@pytest.mark.parametrize(
    "partition, account, issuer, expected",
    [
        ("aws", "1", ISSUER, f"arn:aws:iam::1:oidc-provider/{HOST}"),
        ("aws", "1", ISSUER + "/", f"arn:aws:iam::1:oidc-provider/{HOST}"),
        (
            "aws-cn",
            "2",
            "https://oidc.eks.cn-north-1.amazonaws.com.cn/id/X",
            "arn:aws-cn:iam::2:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/X",
        ),
    ],
)
def test_oidc_provider_arn(partition, account, issuer, expected):
    assert op.oidc_provider_arn(partition, account, issuer) == expected


def test_cluster_provider_arn():
    assert op.cluster_provider_arn(CLUSTER) == PROVIDER
    assert op.cluster_provider_arn(dict(CLUSTER, identity={})) is None
    assert op.cluster_provider_arn(None) is None


@pytest.mark.parametrize(
    "federated, provider, expected",
    [
        (PROVIDER, PROVIDER, True),
        ([PROVIDER, "arn:aws:iam::1:saml-provider/x"], PROVIDER, True),
        ("arn:aws:iam::111122223333:oidc-provider/other", PROVIDER, False),
        ("arn:aws:iam::111122223333:oidc-provider/other", op.ANY_OIDC_PROVIDER, True),
        ("arn:aws:iam::1:saml-provider/x", op.ANY_OIDC_PROVIDER, False),
        (None, PROVIDER, False),
    ],
)
def test_trusts_provider(federated, provider, expected):
    principal = {"Federated": federated} if federated else {"Service": "pods.eks.amazonaws.com"}
    assert op.trusts_provider({"Principal": principal}, provider) is expected


# ---------------------------------------------------------------- input and desired
@pytest.mark.parametrize(
    "params, message",
    [
        (
            {"state": "present", "client_ids": ["sts"], "thumbprints": ["xyz"]},
            r"thumbprints\[0\]: 'xyz' is not a SHA-1",
        ),
        ({"state": "present", "client_ids": []}, "client_ids: at least one client ID"),
    ],
)
def test_validate_params(params, message):
    with pytest.raises(EksError, match=message):
        op.validate_params(params)
    op.validate_params({"state": "absent", "client_ids": []})


def test_build_desired():
    params = {"cluster_name": "demo", "client_ids": ["sts.amazonaws.com", "sts.amazonaws.com"], "tags": None,
              "purge_tags": True}  # fmt: skip
    assert op.build_desired(params, CLUSTER, None) == _desired()
    tagged = op.build_desired(dict(params, tags={"team": "a"}), CLUSTER, ["a" * 40])
    assert tagged == _desired(thumbprints=["a" * 40], tags={"team": "a", "aews.eks/cluster-name": "demo"},
                              purge_tags=True)  # fmt: skip
    with pytest.raises(EksError, match="no OIDC issuer yet"):
        op.build_desired(params, dict(CLUSTER, identity={}, status="CREATING"), None)


# ---------------------------------------------------------------- plan and predict
@pytest.mark.parametrize(
    "overrides, expected",
    [
        pytest.param({}, [], id="no-change"),
        pytest.param({"thumbprints": ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]}, [], id="thumbprint-case"),
        pytest.param(
            {"thumbprints": ["a" * 40]},
            [
                {
                    "resource": RESOURCE,
                    "action": "update_thumbprints",
                    "why": f"thumbprints 9E99A48A9960B14926BB7F3B02E22DA2B0AB7280 -> {'a' * 40}",
                    "call": "update_open_id_connect_provider_thumbprint",
                    "params": {"OpenIDConnectProviderArn": PROVIDER, "ThumbprintList": ["a" * 40]},
                }
            ],
            id="thumbprint-changed",
        ),
        pytest.param(
            {"client_ids": ["vault"]},
            [
                {
                    "resource": RESOURCE,
                    "action": "add_client_id",
                    "why": "vault",
                    "call": "add_client_id_to_open_id_connect_provider",
                    "params": {"OpenIDConnectProviderArn": PROVIDER, "ClientID": "vault"},
                },
                {
                    "resource": RESOURCE,
                    "action": "remove_client_id",
                    "why": "sts.amazonaws.com",
                    "call": "remove_client_id_from_open_id_connect_provider",
                    "params": {"OpenIDConnectProviderArn": PROVIDER, "ClientID": "sts.amazonaws.com"},
                },
            ],
            id="client-ids",
        ),
        pytest.param(
            {"tags": {"aews.eks/cluster-name": "demo", "team": "a"}, "purge_tags": True},
            [
                {
                    "resource": RESOURCE,
                    "action": "tag_provider",
                    "why": "team",
                    "call": "tag_open_id_connect_provider",
                    "params": {"OpenIDConnectProviderArn": PROVIDER, "Tags": [{"Key": "team", "Value": "a"}]},
                }
            ],
            id="tags",
        ),
        pytest.param(
            {"tags": {"team": "a"}, "purge_tags": True},
            [
                {
                    "resource": RESOURCE,
                    "action": "tag_provider",
                    "why": "team",
                    "call": "tag_open_id_connect_provider",
                    "params": {"OpenIDConnectProviderArn": PROVIDER, "Tags": [{"Key": "team", "Value": "a"}]},
                },
                {
                    "resource": RESOURCE,
                    "action": "untag_provider",
                    "why": "aews.eks/cluster-name",
                    "call": "untag_open_id_connect_provider",
                    "params": {"OpenIDConnectProviderArn": PROVIDER, "TagKeys": ["aews.eks/cluster-name"]},
                },
            ],
            id="tags-purged",
        ),
    ],
)
def test_plan(overrides, expected):
    desired = _desired(**overrides)
    changes = op.plan(PROVIDER_VIEW, desired)
    assert [public(c) for c in changes] == expected
    # the predicted provider needs nothing more, and the current view is left as it was
    before = dict(PROVIDER_VIEW, client_ids=list(PROVIDER_VIEW["client_ids"]), tags=dict(PROVIDER_VIEW["tags"]))
    assert op.plan(op.predict(PROVIDER_VIEW, changes), desired) == []
    assert PROVIDER_VIEW == before


def test_plan_creates_without_thumbprints_by_default():
    changes = op.plan(None, _desired())
    assert [public(c) for c in changes] == [
        {
            "resource": RESOURCE,
            "action": "create_provider",
            "why": "not found",
            "call": "create_open_id_connect_provider",
            "params": {
                "Url": ISSUER,
                "ClientIDList": ["sts.amazonaws.com"],
                "Tags": [{"Key": "aews.eks/cluster-name", "Value": "demo"}],
            },
        }
    ]
    assert op.predict(None, changes, PROVIDER) == {
        "arn": PROVIDER,
        "url": HOST,
        "client_ids": ["sts.amazonaws.com"],
        "thumbprints": [],
        "create_date": None,
        "tags": {"aews.eks/cluster-name": "demo"},
    }


def test_plan_create_with_thumbprints():
    changes = op.plan(None, _desired(thumbprints=["a" * 40]))
    assert changes[0]["params"]["ThumbprintList"] == ["a" * 40]
    assert op.predict(None, changes, PROVIDER)["thumbprints"] == ["a" * 40]


def test_plan_delete():
    assert op.plan_delete(None) == []
    changes = op.plan_delete(PROVIDER_VIEW)
    assert [public(c) for c in changes] == [
        {
            "resource": RESOURCE,
            "action": "delete_provider",
            "why": "state=absent",
            "call": "delete_open_id_connect_provider",
            "params": {"OpenIDConnectProviderArn": PROVIDER},
        }
    ]
    assert op.predict(PROVIDER_VIEW, changes) is None


def test_provider_view():
    described = {"Url": HOST, "ClientIDList": ["sts.amazonaws.com"], "ThumbprintList": [], "CreateDate": None}
    assert op.provider_view(PROVIDER, described, {"a": "1"}) == {
        "arn": PROVIDER,
        "url": HOST,
        "client_ids": ["sts.amazonaws.com"],
        "thumbprints": [],
        "create_date": None,
        "tags": {"a": "1"},
    }
    assert op.provider_view(PROVIDER, None, {}) is None
