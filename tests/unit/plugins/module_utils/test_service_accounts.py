"""The ServiceAccounts as eksctl writes them (pure): manifests, labels and annotations as Kubernetes takes them, the
manifests of a definition, the filter aews.eks.service_account_manifests, eks_irsa's check of them."""

from __future__ import annotations

import pytest
from ansible_collections.aews.eks.plugins.filter.service_accounts import service_account_manifests
from ansible_collections.aews.eks.plugins.module_utils._eks import irsa
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError
from ansible_collections.aews.eks.plugins.module_utils._eks.service_accounts import definition_manifests
from ansible_collections.aews.eks.plugins.module_utils._eks.service_accounts import metadata_problems
from ansible_collections.aews.eks.plugins.module_utils._eks.service_accounts import namespace_manifests
from ansible_collections.aews.eks.plugins.module_utils._eks.service_accounts import service_account_manifest

ARN = "arn:aws:iam::123456789012:role/demo-apps-web"
CLUSTER_ARN = "arn:aws:eks:ap-northeast-2:123456789012:cluster/demo"
MANAGED = {"app.kubernetes.io/managed-by": "aews.eks"}


def test_manifest_irsa_and_pod_identity():
    assert service_account_manifest("apps", "web", ARN, {"team": "web"}, {"a.io/b": "c"}) == {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {
            "name": "web",
            "namespace": "apps",
            "labels": {"team": "web", **MANAGED},
            "annotations": {"a.io/b": "c", "eks.amazonaws.com/role-arn": ARN},
        },
    }
    # Pod identity: no annotation at all unless the user gives some.
    assert service_account_manifest("jobs", "runner")["metadata"] == {
        "name": "runner",
        "namespace": "jobs",
        "labels": MANAGED,
    }


@pytest.mark.parametrize(
    "labels, annotations, expected",
    [
        ({"team": "web", "example.com/tier": "", "a_b.c-d": "X.y_z-1"}, {"example.com/free": "any text: at all"}, []),
        ({"bad key": "v"}, None, [("sa.labels", "key 'bad key': the name 'bad key' must be 1 to 63")]),
        ({"Example.com/x": "v"}, None, [("sa.labels", "the prefix 'Example.com' must be a DNS subdomain")]),
        ({"/x": "v"}, None, [("sa.labels", "the prefix before '/' is empty")]),
        ({"x" * 64: "v"}, None, [("sa.labels", "must be 1 to 63")]),
        ({"k": "v" * 64}, None, [("sa.labels.k", "a label value must be empty or 1 to 63")]),
        ({"k": "-v"}, None, [("sa.labels.k", "a label value must be empty or 1 to 63")]),
        ({"k": True}, None, [("sa.labels.k", "must be a string, not bool True (quote it)")]),
        (None, {"k": 1}, [("sa.annotations.k", "must be a string, not int 1 (quote it)")]),
        (["a"], None, [("sa.labels", "must be a mapping of strings, not list")]),
        ({"app.kubernetes.io/managed-by": "eksctl"}, None, [("sa.labels.app.kubernetes.io/managed-by",
                                                             "is the collection's own label (aews.eks)")]),
        ({"app.kubernetes.io/managed-by": "aews.eks"}, None, []),
        (None, {"eks.amazonaws.com/role-arn": ARN}, []),
        (None, {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/x"},
         [("sa.annotations.eks.amazonaws.com/role-arn", "contradicts the service account's role " + ARN)]),
        (None, {"big": "x" * (256 * 1024)}, [("sa.annotations", "above Kubernetes' 262144")]),
    ],
)  # fmt: skip
def test_metadata_problems(labels, annotations, expected):
    problems = metadata_problems(labels, annotations, "sa", "irsa", ARN)
    assert [found[0] for found in problems] == [want[0] for want in expected]
    for found, want in zip(problems, expected):
        assert want[1] in found[1]


def test_metadata_problems_pod_identity_and_unknown_role():
    annotation = {"eks.amazonaws.com/role-arn": ARN}
    assert "EKS Pod Identity needs no annotation" in metadata_problems(None, annotation, "sa", "pod_identity")[0][1]
    # The role's ARN not known yet: no judgement on the value.
    assert metadata_problems(None, annotation, "sa", "irsa", None) == []


def test_namespaces_of_the_manifests_but_built_in_ones():
    manifests = [service_account_manifest(ns, "x") for ns in ("apps", "kube-system", "jobs", "apps", "default")]
    assert namespace_manifests(manifests) == [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "jobs"}},
    ]


DEFINITION = {
    "name": "demo",
    "iam": {
        "service_accounts": [
            {"namespace": "apps", "name": "web", "role_only": False, "role_arn": None, "role_name": None,
             "labels": {"team": "web"}, "annotations": {}},
            {"namespace": "apps", "name": "reports", "role_only": True, "role_arn": None, "role_name": None,
             "labels": {}, "annotations": {}},
            {"namespace": "kube-system", "name": "own", "role_only": False, "role_name": None,
             "role_arn": "arn:aws:iam::123456789012:role/own", "labels": {}, "annotations": {}},
            {"namespace": "apps", "name": "named", "role_only": False, "role_arn": None, "role_name": "my-role",
             "labels": {}, "annotations": {}},
        ],
        "pod_identity_associations": [
            {"namespace": "jobs", "service_account": "runner", "create_service_account": True},
            {"namespace": "jobs", "service_account": "quiet", "create_service_account": False},
            # Listed as an IRSA service account too: written once, as the IRSA one.
            {"namespace": "apps", "service_account": "web", "create_service_account": True},
        ],
    },
}  # fmt: skip


def test_definition_manifests_role_only_left_out_pod_identity_when_asked():
    manifests = definition_manifests(DEFINITION, {"apps/web": ARN})
    names = [(m["metadata"]["namespace"], m["metadata"]["name"]) for m in manifests]
    assert names == [("apps", "web"), ("kube-system", "own"), ("apps", "named"), ("jobs", "runner")]
    by_name = {m["metadata"]["name"]: m["metadata"] for m in manifests}
    assert by_name["web"]["annotations"] == {"eks.amazonaws.com/role-arn": ARN}
    assert by_name["web"]["labels"] == {"team": "web", **MANAGED}
    assert by_name["own"]["annotations"] == {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/own"}
    assert "annotations" not in by_name["runner"]
    # No ARN known for a role the collection makes: no annotation (the filter names it from the cluster's ARN).
    assert "annotations" not in by_name["named"]


def test_filter_names_the_roles_the_collection_makes():
    manifests = service_account_manifests(DEFINITION, cluster_arn=CLUSTER_ARN, namespaces=True)
    assert [(m["kind"], m["metadata"]["name"]) for m in manifests][:2] == [("Namespace", "apps"), ("Namespace", "jobs")]
    roles = {m["metadata"]["name"]: m["metadata"].get("annotations") for m in manifests if m["kind"] == "ServiceAccount"}
    assert roles["web"] == {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/demo-apps-web"}
    assert roles["named"] == {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/my-role"}
    assert roles["own"] == {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/own"}
    # What eks_irsa returned wins (a role adopted at another path); skipped results carry no role.
    results = [{"item": {"namespace": "apps", "name": "web"}, "role": {"arn": "arn:aws:iam::123456789012:role/p/x",
                                                                       "tags": {"aews.eks/cluster-name": "demo"}}},
               {"item": {"namespace": "apps", "name": "named"}, "skipped": True},
               {"item": {"namespace": "apps", "name": "named"},
                "role": {"arn": "arn:aws:iam::123456789012:role/other-cluster",
                         "tags": {"aews.eks/cluster-name": "other"}}}]  # fmt: skip
    roles = {m["metadata"]["name"]: m["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
             for m in service_account_manifests(DEFINITION, cluster_arn=CLUSTER_ARN, irsa_results=results)
             if "annotations" in m["metadata"]}  # fmt: skip
    assert roles["web"] == "arn:aws:iam::123456789012:role/p/x"
    assert roles["named"] == "arn:aws:iam::123456789012:role/my-role"
    # The partition of the cluster's.
    china = service_account_manifests(DEFINITION, cluster_arn="arn:aws-cn:eks:cn-north-1:123456789012:cluster/demo")
    assert china[0]["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].startswith("arn:aws-cn:iam::")


def test_eks_irsa_manifests_carry_each_service_accounts_metadata():
    metadata = irsa.service_account_metadata([{"namespace": "apps", "name": "web", "labels": {"a": "b"}},
                                              {"namespace": "apps", "name": "api", "annotations": {"c": "d"}}])  # fmt: skip
    manifests = irsa.service_account_manifests([("apps", "web"), ("apps", "api"), ("apps", "*")], ARN, "irsa", metadata)
    assert [m["metadata"]["name"] for m in manifests] == ["web", "api"]
    assert manifests[0]["metadata"]["labels"] == {"a": "b", **MANAGED}
    assert manifests[1]["metadata"]["annotations"] == {"c": "d", "eks.amazonaws.com/role-arn": ARN}


def test_eks_irsa_validate_params_names_every_problem_before_any_call():
    params = {
        "mode": "irsa",
        "cluster_name": "demo",
        "audiences": ["sts.amazonaws.com"],
        "service_accounts": [
            {"namespace": "apps", "name": "web", "labels": {"ok": "1", "bad key": "x"},
             "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/other"}},
        ],
    }  # fmt: skip
    with pytest.raises(EksError) as error:
        irsa.validate_params(params)
    message = str(error.value)
    assert "service_accounts[0].labels: key 'bad key'" in message
    assert "service_accounts[0].annotations.eks.amazonaws.com/role-arn: 'arn:aws:iam::123456789012:role/other' " \
           "contradicts the service account's role demo-apps-web" in message  # fmt: skip
    # The default role's name, or the one given: an annotation naming it passes.
    params["service_accounts"][0]["labels"] = {"ok": "1"}
    params["service_accounts"][0]["annotations"] = {"eks.amazonaws.com/role-arn": ARN}
    irsa.validate_params(params)
    params["role_name"] = "mine"
    with pytest.raises(EksError, match="contradicts the service account's role mine"):
        irsa.validate_params(params)
