"""site.yml with an eksctl ClusterConfig whose service accounts carry labels and annotations, one of them role-only,
one with a role of its own, and a pod identity association with createServiceAccount: the ServiceAccounts eksctl
writes, written to a manifests file and applied to a (fake) Kubernetes API; the addons role run again alone with
nothing to change; in check mode after a label change, the change predicted and nothing written."""

from __future__ import annotations

import json
import urllib.request

import boto3
import yaml
import pytest
from fake_kube.fixture import running
from kubernetes.client import ApiClient
from test_site import ROOT
from test_site import playbook

NAME = "sa"
OWN_ROLE = "arn:aws:iam::123456789012:role/own-web"
S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
CONFIG = {
    "apiVersion": "eksctl.io/v1alpha5",
    "kind": "ClusterConfig",
    "metadata": {"name": NAME, "region": "ap-northeast-2", "version": "1.33"},
    "availabilityZones": ["ap-northeast-2a", "ap-northeast-2c"],
    "vpc": {"cidr": "10.41.0.0/16", "nat": {"gateway": "Disable"}},
    "addonsConfig": {"disableDefaultAddons": True},
    "addons": [{"name": "eks-pod-identity-agent"}],
    "iam": {
        "withOIDC": True,
        "serviceAccounts": [
            {
                "metadata": {
                    "name": "web",
                    "namespace": "apps",
                    "labels": {"team": "web", "app.kubernetes.io/name": "web"},
                    "annotations": {"eks.amazonaws.com/sts-regional-endpoints": "true"},
                },
                "attachPolicyARNs": [S3_READ],
            },
            {"metadata": {"name": "reports", "namespace": "apps"}, "roleOnly": True, "attachPolicyARNs": [S3_READ]},
            {"metadata": {"name": "own", "namespace": "kube-system", "labels": {"tier": "system"}},
             "attachRoleARN": OWN_ROLE},  # fmt: skip
        ],
        "podIdentityAssociations": [
            {"namespace": "jobs", "serviceAccountName": "runner", "createServiceAccount": True,
             "permissionPolicyARNs": [S3_READ]},  # fmt: skip
        ],
    },
}


def _service_account(obj):
    """The manifest as the kubernetes client reads a V1ServiceAccount (a field of the wrong type fails)."""
    return ApiClient().deserialize(json.dumps(obj), "V1ServiceAccount", "application/json")


def _post(kube, path, obj):
    request = urllib.request.Request(kube.url + path, data=json.dumps(obj).encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    request.add_header("Authorization", f"Bearer {kube.token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture
def fake_kube(tmp_path):
    with running(tmp_path) as kube:
        yield kube


def _state(kube):
    return {key: (sa["metadata"]["resourceVersion"], sa["metadata"].get("labels"), sa["metadata"].get("annotations"))
            for key, sa in kube.service_accounts.items()}  # fmt: skip


def test_service_accounts_written_applied_and_converged(local_aws, fake_kube, tmp_path):
    local_aws.post("/_aews/config", {"scale": 0.2})
    # A ServiceAccount made before (by eksctl): its own keys stay, the definition's are merged in.
    _post(fake_kube, "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}})
    _post(fake_kube, "/api/v1/namespaces/apps/serviceaccounts", {"apiVersion": "v1", "kind": "ServiceAccount",
          "metadata": {"name": "web", "labels": {"app.kubernetes.io/managed-by": "eksctl", "keep": "me"}}})  # fmt: skip
    config = tmp_path / "cluster.yaml"
    config.write_text(yaml.safe_dump(CONFIG))
    manifests = tmp_path / "service-accounts.yaml"
    args = (
        "-e", f"eksctl_config_file={config}",
        "-e", f"aews_eks_service_account_manifests_path={manifests}",
        "-e", "aews_eks_apply_kubernetes=true",
        "-e", f"aews_eks_kubernetes_kubeconfig={fake_kube.kubeconfig_path}",
    )  # fmt: skip

    result, changed = playbook(local_aws, ROOT / "site.yml", *args)
    assert result.returncode == 0, result.stdout[-4000:]
    assert changed and changed > 0
    iam = boto3.client("iam")
    web_role = iam.get_role(RoleName=f"{NAME}-apps-web")["Role"]["Arn"]
    runner_role = iam.get_role(RoleName=f"{NAME}-jobs-runner")["Role"]["Arn"]
    assert iam.get_role(RoleName=f"{NAME}-apps-reports")["Role"]  # role-only: the role, no ServiceAccount

    # The file: the namespace eksctl would create, then the ServiceAccounts, each a valid V1ServiceAccount.
    documents = list(yaml.safe_load_all(manifests.read_text()))
    assert [(d["kind"], d["metadata"]["name"]) for d in documents] == [
        ("Namespace", "apps"), ("Namespace", "jobs"),
        ("ServiceAccount", "web"), ("ServiceAccount", "own"), ("ServiceAccount", "runner"),
    ]  # fmt: skip
    accounts = {(d["metadata"]["namespace"], d["metadata"]["name"]): _service_account(d)
                for d in documents if d["kind"] == "ServiceAccount"}  # fmt: skip
    web = accounts[("apps", "web")].metadata
    assert web.annotations == {"eks.amazonaws.com/sts-regional-endpoints": "true", "eks.amazonaws.com/role-arn": web_role}
    assert web.labels == {"team": "web", "app.kubernetes.io/name": "web", "app.kubernetes.io/managed-by": "aews.eks"}
    assert accounts[("kube-system", "own")].metadata.annotations == {"eks.amazonaws.com/role-arn": OWN_ROLE}
    runner = accounts[("jobs", "runner")].metadata
    assert runner.annotations is None and runner.labels == {"app.kubernetes.io/managed-by": "aews.eks"}
    association = boto3.client("eks").list_pod_identity_associations(clusterName=NAME)["associations"]
    assert [(a["namespace"], a["serviceAccount"]) for a in association] == [("jobs", "runner")]
    assert runner_role.endswith(f"role/{NAME}-jobs-runner")

    # The API: the same ServiceAccounts (the one made before keeps its own label), the namespaces made, none for
    # the role-only one.
    assert sorted(fake_kube.service_accounts) == [("apps", "web"), ("jobs", "runner"), ("kube-system", "own")]
    assert {"apps", "jobs"} <= set(fake_kube.namespaces)
    applied = fake_kube.service_account("apps", "web")["metadata"]
    assert applied["annotations"]["eks.amazonaws.com/role-arn"] == web_role
    assert applied["labels"] == {"team": "web", "app.kubernetes.io/name": "web", "keep": "me",
                                 "app.kubernetes.io/managed-by": "aews.eks"}  # fmt: skip
    assert fake_kube.service_account("kube-system", "own")["metadata"]["labels"]["tier"] == "system"
    assert "annotations" not in fake_kube.service_account("jobs", "runner")["metadata"]
    before = _state(fake_kube)

    # Again, with the addons role alone as a user runs it (the roles' ARNs named from the cluster's, as the cluster
    # role's eks_irsa returned them in site.yml): nothing to change.
    addons = tmp_path / "addons.yml"
    addons.write_text(yaml.safe_dump([{
        "hosts": "localhost", "connection": "local", "gather_facts": False,
        "vars_files": [str(ROOT / "playbooks" / "vars" / "role_parameters.yml")],
        # What AWS offers was checked by site.yml: not again.
        "vars": {"definition_preflight": False},
        "tasks": [
            {"ansible.builtin.include_role": {"name": "aews.eks.definition", "tasks_from": "eksctl"},
             "vars": {"definition_eksctl_config_file": str(config)}},
            {"ansible.builtin.include_role": {"name": "aews.eks.addons"}},
        ],
    }]))  # fmt: skip
    result, changed = playbook(local_aws, addons, *args)
    assert result.returncode == 0, result.stdout[-3000:]
    assert changed == 0, [line for line in result.stdout.splitlines() if line.startswith("changed")]
    assert _state(fake_kube) == before

    # A label changed and a service account in a namespace still to be made, in check mode: the changes predicted
    # (the namespace and the label by dry runs, the ServiceAccount of the new namespace without a call, as the API
    # refuses one there even in a dry run), nothing written.
    CONFIG["iam"]["serviceAccounts"][0]["metadata"]["labels"]["team"] = "frontend"
    CONFIG["iam"]["serviceAccounts"].append({"metadata": {"name": "worker", "namespace": "batch"},
                                             "attachPolicyARNs": [S3_READ]})  # fmt: skip
    config.write_text(yaml.safe_dump(CONFIG))
    written = manifests.read_text()
    fake_kube.requests.clear()
    local_aws.clear_requests()
    result, changed = playbook(local_aws, addons, *args, "--check")
    assert result.returncode == 0, result.stdout[-3000:]
    # The manifests file, the namespace, the ServiceAccount changed and the one predicted.
    assert changed == 4, result.stdout[-3000:]
    tasks = {t.split("]")[0]: t for t in result.stdout.split("TASK [aews.eks.addons : ")[1:]}
    assert "changed: [localhost]" in tasks["Service accounts | Create or update the ServiceAccounts"]
    predicted = tasks["Service accounts | Predict those of the namespaces to be created"]
    assert "Would create the ServiceAccounts batch/worker" in predicted
    writes = fake_kube.writes()
    # Dry runs only: the new namespace's creation, the patches (the module patches what exists, changed or not),
    # nothing in the namespace still to be made.
    assert {("POST", "/api/v1/namespaces"), ("PATCH", "/api/v1/namespaces/apps/serviceaccounts/web")} <= {
        (method, path.split("?")[0]) for method, path, _type in writes}  # fmt: skip
    assert not [path for _method, path, _type in writes if "/namespaces/batch/" in path], writes
    assert all("dryRun=All" in path for _method, path, _type in writes), writes
    assert _state(fake_kube) == before and "batch" not in fake_kube.namespaces
    assert manifests.read_text() == written
    assert local_aws.requests(mutating=True) == []
