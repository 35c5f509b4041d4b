"""The IAM operations the local endpoint adds to moto: client IDs of OpenID Connect providers."""

from __future__ import annotations

import pytest

from local_aws_tests.helpers import error_of

URL = "https://oidc.eks.ap-northeast-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"


@pytest.fixture
def provider(iam):
    return iam.create_open_id_connect_provider(Url=URL, ClientIDList=["sts.amazonaws.com"])["OpenIDConnectProviderArn"]


def _client_ids(iam, arn):
    return iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ClientIDList"]


def test_client_ids_are_added_and_removed_in_place(local_aws, iam, provider):
    local_aws.clear_requests()
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=provider, ClientID="vault")
    assert _client_ids(iam, provider) == ["sts.amazonaws.com", "vault"]
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=provider, ClientID="vault")  # no-op
    assert _client_ids(iam, provider) == ["sts.amazonaws.com", "vault"]
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=provider, ClientID="sts.amazonaws.com")
    assert _client_ids(iam, provider) == ["vault"]
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=provider, ClientID="absent")  # no-op
    assert _client_ids(iam, provider) == ["vault"]
    logged = [(r["operation"], r["mutating"], r["status"]) for r in local_aws.requests() if r["service"] == "iam"]
    assert ("AddClientIDToOpenIDConnectProvider", True, 200) in logged
    assert ("RemoveClientIDFromOpenIDConnectProvider", True, 200) in logged


def test_unknown_provider_and_bad_client_id_are_refused(iam, provider):
    missing = provider.replace("0123456789ABCDEF", "FFFFFFFFFFFFFFFF")
    assert error_of(
        lambda: iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=missing, ClientID="x")
    ) == ("NoSuchEntity", 404)
    assert error_of(
        lambda: iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=missing, ClientID="x")
    ) == ("NoSuchEntity", 404)
    assert error_of(
        lambda: iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=provider, ClientID="x" * 256)
    ) == ("ValidationError", 400)
    assert _client_ids(iam, provider) == ["sts.amazonaws.com"]
