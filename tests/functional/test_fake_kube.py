"""The fake Kubernetes API (tests/fake_kube) answers as the API server does for what it serves, through the
kubernetes dynamic client kubernetes.core uses, and refuses with an error what it does not serve."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from fake_kube.fixture import running
from kubernetes import config as kube_config
from kubernetes import dynamic
from kubernetes.dynamic.exceptions import ConflictError
from kubernetes.dynamic.exceptions import NotFoundError
from kubernetes.dynamic.exceptions import UnprocessibleEntityError

SA = {
    "apiVersion": "v1",
    "kind": "ServiceAccount",
    "metadata": {"name": "web", "namespace": "default", "labels": {"team": "web"}},
}


@pytest.fixture
def fake_kube(tmp_path):
    with running(tmp_path) as kube:
        yield kube


@pytest.fixture
def client(fake_kube):
    api = kube_config.new_client_from_config(config_file=str(fake_kube.kubeconfig_path))
    return dynamic.DynamicClient(api).resources.get(api_version="v1", kind="ServiceAccount")


def _raw(kube, method, path, body=None, content_type="application/json", token=True):
    request = urllib.request.Request(kube.url + path, data=None if body is None else json.dumps(body).encode(),
                                     method=method)  # fmt: skip
    request.add_header("Content-Type", content_type)
    if token:
        request.add_header("Authorization", f"Bearer {kube.token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_create_get_patch_and_delete_as_the_api_does(fake_kube, client):
    with pytest.raises(NotFoundError) as missing:
        client.get(name="web", namespace="default")
    status = json.loads(missing.value.body)
    assert (status["kind"], status["reason"], status["code"]) == ("Status", "NotFound", 404)
    assert status["message"] == 'serviceaccounts "web" not found'

    created = client.create(SA, namespace="default").to_dict()
    assert created["metadata"]["uid"] and created["metadata"]["resourceVersion"]
    with pytest.raises(ConflictError):
        client.create(SA, namespace="default")

    # A strategic merge patch merges the maps (null deletes a key) and the secrets by name; one that changes
    # nothing leaves the object (and its resourceVersion) as it was.
    patch = {"metadata": {"labels": {"tier": "a"}, "annotations": {"x.io/y": "z"}}, "secrets": [{"name": "s1"}]}
    patched = client.patch(body=patch, name="web", namespace="default",
                           content_type="application/strategic-merge-patch+json").to_dict()  # fmt: skip
    assert patched["metadata"]["labels"] == {"team": "web", "tier": "a"}
    assert patched["metadata"]["resourceVersion"] != created["metadata"]["resourceVersion"]
    again = client.patch(body=patch, name="web", namespace="default",
                         content_type="application/strategic-merge-patch+json").to_dict()  # fmt: skip
    assert again == patched
    merged = client.patch(body={"metadata": {"labels": {"tier": None}}, "secrets": [{"name": "s2"}]}, name="web",
                          namespace="default", content_type="application/strategic-merge-patch+json").to_dict()  # fmt: skip
    assert merged["metadata"]["labels"] == {"team": "web"} and merged["secrets"] == [{"name": "s1"}, {"name": "s2"}]
    replaced = client.patch(body={"secrets": [{"name": "s3"}]}, name="web", namespace="default",
                            content_type="application/merge-patch+json").to_dict()  # fmt: skip
    assert replaced["secrets"] == [{"name": "s3"}]

    # A dry run answers what would be stored and stores nothing.
    dry = client.patch(body={"metadata": {"labels": {"team": "api"}}}, name="web", namespace="default",
                       content_type="application/merge-patch+json", dry_run="All").to_dict()  # fmt: skip
    assert dry["metadata"]["labels"] == {"team": "api"}
    assert fake_kube.service_account("default", "web")["metadata"]["labels"] == {"team": "web"}

    # PUT with a stale resourceVersion is a conflict.
    stale = dict(SA, metadata=dict(SA["metadata"], resourceVersion=created["metadata"]["resourceVersion"]))
    with pytest.raises(ConflictError):
        client.replace(body=stale, name="web", namespace="default")

    client.delete(name="web", namespace="default")
    assert fake_kube.service_account("default", "web") is None


def test_refusals_as_the_api_refuses(fake_kube, client):
    with pytest.raises(NotFoundError) as missing:
        client.create(dict(SA, metadata=dict(SA["metadata"], namespace="nowhere")), namespace="nowhere")
    assert json.loads(missing.value.body)["message"] == 'namespaces "nowhere" not found'
    with pytest.raises(UnprocessibleEntityError) as invalid:
        client.create(dict(SA, metadata=dict(SA["metadata"], labels={"team": "web!"})), namespace="default")
    assert json.loads(invalid.value.body)["reason"] == "Invalid"
    # A namespace made first takes the ServiceAccount; a dry run of it makes nothing.
    namespaces = client.client.resources.get(api_version="v1", kind="Namespace")
    namespaces.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}}, dry_run="All")
    assert "apps" not in fake_kube.namespaces
    made = namespaces.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}}).to_dict()
    assert made["metadata"]["labels"] == {"kubernetes.io/metadata.name": "apps"} and made["status"]["phase"] == "Active"
    client.create(dict(SA, metadata=dict(SA["metadata"], namespace="apps")), namespace="apps")


@pytest.mark.parametrize(
    "method, path, body, content_type, code, reason",
    [
        ("GET", "/api/v1/namespaces/default/serviceaccounts/web", None, "application/json", 401, "Unauthorized"),
        ("GET", "/api/v1/namespaces/default/configmaps", None, "application/json", 404, "NotFound"),
        ("GET", "/apis/apps/v1", None, "application/json", 404, "NotFound"),
        ("GET", "/api/v1/namespaces/default/serviceaccounts?labelSelector=a%3Db", None, "application/json", 400,
         "BadRequest"),
        ("GET", "/api/v1/namespaces/default/serviceaccounts?watch=true", None, "application/json", 400, "BadRequest"),
        ("PATCH", "/api/v1/namespaces/default/serviceaccounts/default", [{"op": "add"}], "application/json-patch+json",
         415, "UnsupportedMediaType"),
        ("PATCH", "/api/v1/namespaces/default/serviceaccounts/default", {"kind": "ServiceAccount"},
         "application/apply-patch+yaml", 415, "UnsupportedMediaType"),
        ("PATCH", "/api/v1/namespaces/default/serviceaccounts/default", {"$patch": "replace"},
         "application/strategic-merge-patch+json", 400, "BadRequest"),
        ("POST", "/api/v1/namespaces/default/serviceaccounts?dryRun=Some", SA, "application/json", 400, "BadRequest"),
        ("POST", "/api/v1/namespaces/kube-system/serviceaccounts", SA, "application/json", 400, "BadRequest"),
        ("POST", "/api/v1/namespaces/default/serviceaccounts", dict(SA, kind="ConfigMap"), "application/json", 400,
         "BadRequest"),
    ],
)  # fmt: skip
def test_what_it_does_not_serve_is_an_error(fake_kube, method, path, body, content_type, code, reason):
    if body is not None and method == "PATCH":
        # The object patched exists: the refusal is of the request, not of a missing object.
        _raw(fake_kube, "POST", "/api/v1/namespaces/default/serviceaccounts",
             {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}})  # fmt: skip
    status, answer = _raw(fake_kube, method, path, body, content_type, token=code != 401)
    assert (status, answer["kind"], answer["status"], answer["reason"], answer["code"]) == (
        code, "Status", "Failure", reason, code)  # fmt: skip
