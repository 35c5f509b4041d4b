from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.aews.eks.plugins.module_utils._eks import api
from ansible_collections.aews.eks.plugins.module_utils._eks import common
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError


class _Module:
    def __init__(self, plain):
        self.plain = plain

    def client(self, service, **kwargs):
        return self.plain


@pytest.fixture
def eks_client(monkeypatch):
    sleeps = []
    monkeypatch.setattr("time.sleep", sleeps.append)
    plain = boto3.client("eks", region_name="ap-northeast-2", aws_access_key_id="a", aws_secret_access_key="b")
    with Stubber(plain) as stubber:
        yield common.client(_Module(plain), "eks"), stubber, sleeps


def test_throttled_call_is_retried_to_success(eks_client):
    wrapped, stubber, sleeps = eks_client
    for _attempt in range(3):
        stubber.add_client_error("list_addons", service_error_code="ThrottlingException", http_status_code=400)
    stubber.add_response("list_addons", {"addons": ["vpc-cni"]}, {"clusterName": "c"})

    assert wrapped.list_addons(clusterName="c")["addons"] == ["vpc-cni"]
    stubber.assert_no_pending_responses()
    assert len(sleeps) == 3


def test_non_retryable_error_is_raised_after_one_call(eks_client):
    wrapped, stubber, sleeps = eks_client
    stubber.add_client_error(
        "update_cluster_version", service_error_code="InvalidParameterException", service_message="bad version"
    )

    with pytest.raises(EksError) as raised:
        api.update_cluster_version(wrapped, "c", "1.99")

    assert raised.value.code == "InvalidParameterException"
    assert "bad version" in str(raised.value)
    stubber.assert_no_pending_responses()
    assert sleeps == []
