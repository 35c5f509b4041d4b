"""iam.podIdentityAssociations[].roleARN (eksctl) and iam.pod_identity_associations[].role_arn (the definition): an
association with a role of one's own; the permissions of a role to make refused with it, by path; the pure plan of
eks_pod_identity_association."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.aews.eks.plugins.filter.cluster_definition import FilterModule as DefinitionFilters
from ansible_collections.aews.eks.plugins.filter.eksctl_config import FilterModule
from ansible_collections.aews.eks.plugins.module_utils._eks import pod_identity_association as pia
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError

eksctl_config = FilterModule().filters()["eksctl_config"]
cluster_definition = DefinitionFilters().filters()["cluster_definition"]
ROLE = "arn:aws:iam::123456789012:role/app"


def config(association):
    return {
        "apiVersion": "eksctl.io/v1alpha5",
        "kind": "ClusterConfig",
        "metadata": {"name": "c1", "region": "us-east-1"},
        "iam": {"podIdentityAssociations": [dict({"namespace": "app", "serviceAccountName": "app"}, **association)]},
        "addons": [{"name": "eks-pod-identity-agent"}],
    }


def test_role_arn_converts_and_normalizes():
    definition = cluster_definition(eksctl_config(config({"roleARN": ROLE})), check_files=False)
    [association] = definition["iam"]["pod_identity_associations"]
    assert association["role_arn"] == ROLE and association["role_name"] is None
    assert association["managed_policy_arns"] == [] and association["well_known_policies"] == []


def test_role_arn_with_permissions_of_a_role_to_make_is_refused_by_its_eksctl_path():
    with pytest.raises(AnsibleFilterError) as info:
        eksctl_config(config({"roleARN": ROLE, "permissionPolicyARNs": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}))
    assert str(info.value).split("\n", 1)[1] == (
        "  iam.podIdentityAssociations[0].permissionPolicyARNs: is for the role the collection makes;"
        " iam.podIdentityAssociations[0].roleARN names a role of your own"
    )
    with pytest.raises(AnsibleFilterError, match=r"iam.pod_identity_associations\[0\].role_arn: 'app' is not"):
        cluster_definition({"name": "c1", "region": "us-east-1", "addons": [{"name": "eks-pod-identity-agent"}],
                            "iam": {"pod_identity_associations": [{"namespace": "a", "service_account": "b",
                                                                   "role_arn": "app"}]}}, check_files=False)  # fmt: skip


def desired(**extra):
    params = dict(cluster_name="c1", namespace="app", service_account="app", role_arn=ROLE, tags=None,
                  purge_tags=True, state="present")  # fmt: skip
    params.update(extra)
    return pia.build_desired(params)


def test_plan_create_update_tags_delete_and_converged():
    created = pia.plan(None, desired(tags={"team": "t"}))
    assert [(c["action"], c["params"]) for c in created] == [
        ("create_association", {"clusterName": "c1", "namespace": "app", "serviceAccount": "app", "roleArn": ROLE,
                                "tags": {"team": "t"}})
    ]  # fmt: skip
    current = dict(pia.predict(None, desired(tags={"team": "t"}), created), associationId="a-1",
                   associationArn="arn:a-1")  # fmt: skip
    assert pia.plan(current, desired(tags={"team": "t"})) == []
    assert pia.plan(current, desired()) == []  # tags unset: left as they are
    other = "arn:aws:iam::123456789012:role/other"
    moved = pia.plan(current, desired(role_arn=other, tags={"x": "1"}))
    assert [(c["action"], c["why"]) for c in moved] == [
        ("update_association", f"role {ROLE} -> {other}"), ("tag", "tags x"), ("untag", "tags team removed")
    ]  # fmt: skip
    after = pia.predict(current, desired(role_arn=other, tags={"x": "1"}), moved)
    assert pia.plan(after, desired(role_arn=other, tags={"x": "1"})) == []
    gone = pia.plan(current, desired(state="absent", role_arn=None))
    assert [c["action"] for c in gone] == ["delete_association"]
    assert pia.predict(current, desired(state="absent", role_arn=None), gone) is None
    assert pia.plan(None, desired(state="absent", role_arn=None)) == []
    with pytest.raises(EksError, match="role_arn: 'x' is not an IAM role ARN"):
        desired(role_arn="x")
