"""Pure parts of the service account roles: trust, names, tags, plan and predict (role and pod identity
associations)."""

from __future__ import annotations

import copy
import hashlib
import json

import pytest

from ansible_collections.aews.eks.plugins.module_utils._eks import irsa
from ansible_collections.aews.eks.plugins.module_utils._eks import iam_role
from ansible_collections.aews.eks.plugins.module_utils._eks.change import public
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError
from ansible_collections.aews.eks.plugins.module_utils._eks.iam_policies import WELL_KNOWN
from ansible_collections.aews.eks.plugins.module_utils._eks.iam_policies import well_known_policies

ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789"
HOST = "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789"
PROVIDER = f"arn:aws:iam::111122223333:oidc-provider/{HOST}"
ROLE_ARN = "arn:aws:iam::111122223333:role/demo-kube-system-aws-node"


def _statement(condition):
    return {
        "Effect": "Allow",
        "Principal": {"Federated": PROVIDER},
        "Action": ["sts:AssumeRoleWithWebIdentity"],
        "Condition": condition,
    }


# ---------------------------------------------------------------- trust construction
@pytest.mark.parametrize(
    "service_accounts, audiences, expected",
    [
        pytest.param(
            [("kube-system", "aws-node")],
            None,
            [
                _statement(
                    {
                        "StringEquals": {
                            f"{HOST}:sub": "system:serviceaccount:kube-system:aws-node",
                            f"{HOST}:aud": "sts.amazonaws.com",
                        }
                    }
                )
            ],
            id="one-account",
        ),
        pytest.param(
            [("kube-system", "aws-node"), ("apps", "api")],
            None,
            [
                _statement(
                    {
                        "StringEquals": {
                            f"{HOST}:sub": [
                                "system:serviceaccount:kube-system:aws-node",
                                "system:serviceaccount:apps:api",
                            ],
                            f"{HOST}:aud": "sts.amazonaws.com",
                        }
                    }
                )
            ],
            id="several-accounts",
        ),
        pytest.param(
            [("reports", "*")],
            None,
            [
                _statement(
                    {
                        "StringEquals": {f"{HOST}:aud": "sts.amazonaws.com"},
                        "StringLike": {f"{HOST}:sub": "system:serviceaccount:reports:*"},
                    }
                )
            ],
            id="pattern",
        ),
        pytest.param(
            [("apps", "api"), ("jobs-?", "runner-*")],
            None,
            [
                _statement(
                    {
                        "StringEquals": {
                            f"{HOST}:sub": "system:serviceaccount:apps:api",
                            f"{HOST}:aud": "sts.amazonaws.com",
                        }
                    }
                ),
                _statement(
                    {
                        "StringEquals": {f"{HOST}:aud": "sts.amazonaws.com"},
                        "StringLike": {f"{HOST}:sub": "system:serviceaccount:jobs-?:runner-*"},
                    }
                ),
            ],
            id="exact-and-pattern-in-separate-statements",
        ),
        pytest.param(
            [("apps", "api")],
            ["vault"],
            [_statement({"StringEquals": {f"{HOST}:sub": "system:serviceaccount:apps:api", f"{HOST}:aud": "vault"}})],
            id="custom-audience",
        ),
        pytest.param(
            [("apps", "api")],
            ["sts.amazonaws.com", "vault"],
            [
                _statement(
                    {
                        "StringEquals": {
                            f"{HOST}:sub": "system:serviceaccount:apps:api",
                            f"{HOST}:aud": ["sts.amazonaws.com", "vault"],
                        }
                    }
                )
            ],
            id="two-audiences",
        ),
    ],
)
def test_build_irsa_statements(service_accounts, audiences, expected):
    assert irsa.build_irsa_statements(PROVIDER, ISSUER, service_accounts, audiences) == expected


@pytest.mark.parametrize(
    "cluster_arn, region, partition",
    [
        ("arn:aws:eks:eu-west-1:111122223333:cluster/demo", "eu-west-1", "aws"),
        ("arn:aws-cn:eks:cn-north-1:111122223333:cluster/demo", "cn-north-1", "aws-cn"),
        ("arn:aws-us-gov:eks:us-gov-west-1:111122223333:cluster/demo", "us-gov-west-1", "aws-us-gov"),
    ],
)
def test_build_desired_uses_the_cluster_partition(cluster_arn, region, partition):
    host_suffix = "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
    issuer = f"https://oidc.eks.{region}.{host_suffix}/id/ABC"
    cluster = {"arn": cluster_arn, "identity": {"oidc": {"issuer": issuer}}}
    desired = irsa.build_desired(_params(well_known_policies=["vpc-cni"]), cluster)
    provider = f"arn:{partition}:iam::111122223333:oidc-provider/oidc.eks.{region}.{host_suffix}/id/ABC"
    assert desired["provider_arn"] == provider
    assert desired["arn"] == f"arn:{partition}:iam::111122223333:role/demo-kube-system-aws-node"
    assert desired["managed_policies"] == [f"arn:{partition}:iam::aws:policy/AmazonEKS_CNI_Policy"]
    assert desired["statements"][0]["Principal"] == {"Federated": provider}
    assert set(desired["statements"][0]["Condition"]["StringEquals"]) == {
        f"oidc.eks.{region}.{host_suffix}/id/ABC:sub",
        f"oidc.eks.{region}.{host_suffix}/id/ABC:aud",
    }


def test_pod_identity_trust():
    cluster = {"arn": "arn:aws:eks:eu-west-1:111122223333:cluster/demo", "identity": {}}
    desired = irsa.build_desired(_params(mode="pod_identity"), cluster)
    assert desired["statements"] == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "pods.eks.amazonaws.com"},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
        }
    ]


@pytest.mark.parametrize(
    "service_accounts",
    [
        [("kube-system", "aws-node")],
        [("kube-system", "aws-node"), ("apps", "api"), ("apps", "worker")],
        [("reports", "*")],
        [("apps", "api"), ("jobs-?", "runner-*")],
    ],
)
def test_trust_names_exactly_the_intended_subjects(service_accounts):
    """No statement lets anyone else in: each one is scoped to the provider, the audience and the subjects."""
    statements = irsa.build_irsa_statements(PROVIDER, ISSUER, service_accounts)
    document = irsa.trust_document(statements)
    found = irsa.trust_subjects(document, ISSUER)
    expected = [
        ("StringLike" if irsa.is_pattern(ns + name) else "StringEquals", f"system:serviceaccount:{ns}:{name}")
        for ns, name in service_accounts
    ]
    assert sorted(found) == sorted(expected)
    for statement in statements:
        assert statement["Principal"] == {"Federated": PROVIDER}
        assert statement["Action"] == ["sts:AssumeRoleWithWebIdentity"]
        assert statement["Effect"] == "Allow"
        conditions = statement["Condition"]
        assert set(conditions) <= {"StringEquals", "StringLike"}
        # every statement pins both the audience (exactly) and the subject
        assert conditions["StringEquals"][f"{HOST}:aud"] == "sts.amazonaws.com"
        subjects = [v for op in conditions.values() for k, v in op.items() if k == f"{HOST}:sub"]
        assert len(subjects) == 1
        # exact subjects never go through StringLike, and StringEquals holds no wildcard
        for value in iam_role.as_list(conditions["StringEquals"].get(f"{HOST}:sub")):
            assert not irsa.is_pattern(value)
        for value in iam_role.as_list(conditions.get("StringLike", {}).get(f"{HOST}:sub")):
            assert irsa.is_pattern(value)
        assert set(k for op in conditions.values() for k in op) <= {f"{HOST}:sub", f"{HOST}:aud"}


# ---------------------------------------------------------------- service accounts, names, tags
@pytest.mark.parametrize(
    "entries, mode, message",
    [
        ([{"namespace": "Kube-System", "name": "x"}], "irsa", "service_accounts[0].namespace"),
        ([{"namespace": "a", "name": ""}], "irsa", "service_accounts[0].name"),
        ([{"namespace": "a", "name": "b_c"}], "irsa", "service_accounts[0].name"),
        ([{"namespace": "a", "name": "b"}, {"namespace": "a", "name": "b"}], "irsa", "listed twice"),
        ([{"namespace": "a", "name": "*"}], "pod_identity", "not a pattern"),
    ],
)
def test_validate_service_accounts_errors(entries, mode, message):
    with pytest.raises(EksError, match=message.replace("[", r"\[").replace("]", r"\]")):
        irsa.validate_service_accounts(entries, mode)


def test_validate_service_accounts_accepts_patterns_in_irsa_mode():
    entries = [{"namespace": "kube-system", "name": "aws-node"}, {"namespace": "team-?", "name": "*"}]
    assert irsa.validate_service_accounts(entries, "irsa") == [("kube-system", "aws-node"), ("team-?", "*")]


@pytest.mark.parametrize(
    "cluster, service_accounts, expected",
    [
        ("demo", [("kube-system", "aws-node")], "demo-kube-system-aws-node"),
        ("c" * 40, [("ns" * 5, "n" * 12)], "c" * 40 + "-" + "ns" * 5 + "-" + "n" * 12),  # exactly 64
        ("demo", [("a", "b"), ("c", "d")], None),
        ("demo", [("apps", "*")], None),
    ],
)
def test_default_role_name(cluster, service_accounts, expected):
    assert irsa.default_role_name(cluster, service_accounts) == expected


def test_default_role_name_past_64_characters_is_cut_and_stays_unique():
    first = irsa.default_role_name("production-eu-west-1", [("observability", "opentelemetry-collector-agent-a")])
    second = irsa.default_role_name("production-eu-west-1", [("observability", "opentelemetry-collector-agent-b")])
    assert len(first) == 64 and len(second) == 64
    assert first != second
    full = "production-eu-west-1-observability-opentelemetry-collector-agent-a"
    assert len(full) > 64 and first.endswith("-" + hashlib.sha256(full.encode()).hexdigest()[:8])
    assert first.startswith(full[:55])
    long_name = irsa.default_role_name("c" * 60, [("kube-system", "aws-node")])
    assert len(long_name) == 64 and long_name.startswith("c" * 55)


@pytest.mark.parametrize(
    "pairs",
    [
        [("kube-system", "aws-node")],
        [("a", "b"), ("team-?", "*")],
        [],
    ],
)
def test_service_account_tag_round_trip(pairs):
    value = irsa.encode_service_accounts(pairs)
    assert "*" not in value and "?" not in value
    assert irsa.decode_service_accounts(value) == pairs


def test_service_account_tag_is_cut_to_256_characters():
    pairs = [("namespace-%02d" % i, "service-account") for i in range(20)]
    value = irsa.encode_service_accounts(pairs)
    assert len(value) == 256 and value.endswith("...")
    decoded = irsa.decode_service_accounts(value)
    assert decoded == pairs[: len(decoded)] and 0 < len(decoded) < 20


def test_service_account_manifest_loads_as_a_kubernetes_service_account():
    from kubernetes.client import ApiClient

    manifests = irsa.service_account_manifests([("kube-system", "aws-node"), ("apps", "*")], ROLE_ARN, "irsa")
    assert len(manifests) == 1  # a pattern names no single ServiceAccount

    account = ApiClient().deserialize(json.dumps(manifests[0]), "V1ServiceAccount", "application/json")
    assert account.kind == "ServiceAccount" and account.api_version == "v1"
    assert account.metadata.name == "aws-node" and account.metadata.namespace == "kube-system"
    assert account.metadata.annotations == {"eks.amazonaws.com/role-arn": ROLE_ARN}


def test_pod_identity_manifest_has_no_role_annotation():
    manifests = irsa.service_account_manifests([("kube-system", "ebs-csi-controller-sa")], ROLE_ARN, "pod_identity")
    assert "annotations" not in manifests[0]["metadata"]


# ---------------------------------------------------------------- input validation
def _params(**overrides):
    params = dict(
        cluster_name="demo",
        service_accounts=[{"namespace": "kube-system", "name": "aws-node"}],
        mode="irsa",
        role_name=None,
        description=None,
        audiences=["sts.amazonaws.com"],
        managed_policies=None,
        inline_policies=None,
        well_known_policies=None,
        purge_policies=False,
        purge_trust=False,
        permissions_boundary=None,
        max_session_duration=None,
        tags=None,
        purge_tags=True,
        state="present",
    )
    params.update(overrides)
    return params


@pytest.mark.parametrize(
    "overrides, message",
    [
        (dict(max_session_duration=100), "max_session_duration"),
        (dict(audiences=[]), "audiences"),
        (dict(permissions_boundary="AdminBoundary"), "permissions_boundary"),
        (dict(inline_policies={"p": "{not json"}), "inline_policies.p: not valid JSON"),
        (dict(inline_policies={"p": {"Version": "2012-10-17"}}), "inline_policies.p: a policy document"),
        (dict(role_name="bad name"), "role_name"),
        (dict(role_name="r" * 65), "role_name"),
        (dict(service_accounts=[{"namespace": "a", "name": "*"}]), "role_name is required"),
        (dict(well_known_policies=["karpenter"]), "well_known_policies: unknown 'karpenter'"),
    ],
)
def test_validate_params_errors(overrides, message):
    with pytest.raises(EksError, match=message):
        irsa.validate_params(_params(**overrides))


def test_validate_params_accepts_a_full_request():
    irsa.validate_params(
        _params(
            role_name="demo-readers",
            service_accounts=[{"namespace": "reports", "name": "*"}],
            inline_policies={"p": '{"Version": "2012-10-17", "Statement": []}'},
            max_session_duration=43200,
            permissions_boundary="arn:aws:iam::111122223333:policy/boundary",
        )
    )


# ---------------------------------------------------------------- trust merge
FOREIGN = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}
OURS = _statement(
    {"StringEquals": {f"{HOST}:sub": "system:serviceaccount:kube-system:aws-node", f"{HOST}:aud": "sts.amazonaws.com"}}
)
OLD_OURS = _statement(
    {"StringEquals": {f"{HOST}:sub": "system:serviceaccount:kube-system:old", f"{HOST}:aud": "sts.amazonaws.com"}}
)


@pytest.mark.parametrize(
    "current, purge, expected",
    [
        (None, False, [OURS]),
        ({"Version": "2012-10-17", "Statement": [OURS]}, False, [OURS]),
        ({"Version": "2012-10-17", "Statement": [OLD_OURS]}, False, [OURS]),
        ({"Version": "2012-10-17", "Statement": [FOREIGN, OLD_OURS]}, False, [FOREIGN, OURS]),
        ({"Version": "2012-10-17", "Statement": FOREIGN}, False, [FOREIGN, OURS]),
        ({"Version": "2012-10-17", "Statement": [FOREIGN, OURS]}, True, [OURS]),
    ],
)
def test_desired_trust(current, purge, expected):
    assert irsa.desired_trust(current, [OURS], "irsa", PROVIDER, purge)["Statement"] == expected


def test_pod_identity_mode_keeps_irsa_statements_unless_purged():
    pods = irsa.build_pod_identity_statements()
    current = {"Version": "2012-10-17", "Statement": [OURS]}
    assert irsa.desired_trust(current, pods, "pod_identity", PROVIDER, False)["Statement"] == [OURS] + pods
    assert irsa.desired_trust(current, pods, "pod_identity", PROVIDER, True)["Statement"] == pods


# ---------------------------------------------------------------- compare role
CLUSTER = {"arn": "arn:aws:eks:eu-west-1:111122223333:cluster/demo", "identity": {"oidc": {"issuer": ISSUER}}}
CNI = "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"
EXTRA = "arn:aws:iam::aws:policy/ReadOnlyAccess"
INLINE = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"]}]}
TAGS = {
    "aews.eks/cluster-name": "demo",
    "aews.eks/service-accounts": "kube-system/aws-node",
    "aews.eks/service-account-mode": "irsa",
}


def _current(**overrides):
    role = {
        "arn": ROLE_ARN,
        "name": "demo-kube-system-aws-node",
        "path": "/",
        "trust_policy": {"Version": "2012-10-17", "Statement": [OURS]},
        "description": "",
        "max_session_duration": 3600,
        "permissions_boundary": None,
        "managed_policies": [CNI],
        "inline_policies": {"read": INLINE},
        "tags": dict(TAGS),
    }
    role.update(overrides)
    return role


def _desired(**overrides):
    return irsa.build_desired(_params(managed_policies=[CNI], inline_policies={"read": INLINE}, **overrides), CLUSTER)


@pytest.mark.parametrize(
    "current, desired_overrides, expected",
    [
        pytest.param(_current(), {}, [], id="no-change"),
        pytest.param(
            _current(
                trust_policy={
                    "Version": "2012-10-17",
                    "Statement": {**OURS, "Action": "sts:AssumeRoleWithWebIdentity"},
                },
                inline_policies={
                    "read": {
                        "Version": "2012-10-17",
                        "Statement": {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"]},
                    }
                },
            ),
            {},
            [],
            id="same-meaning-other-form",
        ),
        pytest.param(
            _current(managed_policies=[CNI, EXTRA], inline_policies={"read": INLINE, "other": INLINE}),
            {},
            [],
            id="extra-policies-kept-without-purge",
        ),
        pytest.param(
            _current(managed_policies=[CNI, EXTRA], inline_policies={"read": INLINE, "other": INLINE}),
            {"purge_policies": True},
            [
                {"action": "detach_policy", "arn": EXTRA},
                {"action": "delete_inline_policy", "policy_name": "other"},
            ],
            id="purge-policies",
        ),
        pytest.param(
            _current(managed_policies=[], inline_policies={"read": {**INLINE, "Statement": []}}),
            {},
            [
                {"action": "attach_policy", "arn": CNI},
                {"action": "put_inline_policy", "policy_name": "read", "document": INLINE},
            ],
            id="attach-and-put",
        ),
        pytest.param(
            _current(trust_policy={"Version": "2012-10-17", "Statement": [OLD_OURS, FOREIGN]}),
            {},
            [{"action": "update_trust", "trust_policy": {"Version": "2012-10-17", "Statement": [FOREIGN, OURS]}}],
            id="trust-subject-changed-foreign-kept",
        ),
        pytest.param(
            _current(trust_policy={"Version": "2012-10-17", "Statement": [OURS, FOREIGN]}),
            {"purge_trust": True},
            [{"action": "update_trust", "trust_policy": {"Version": "2012-10-17", "Statement": [OURS]}}],
            id="purge-trust",
        ),
        pytest.param(
            _current(),
            {"max_session_duration": 7200, "description": "cni"},
            [{"action": "update_role", "description": "cni", "max_session_duration": 7200}],
            id="role-settings",
        ),
        pytest.param(
            _current(),
            {"permissions_boundary": "arn:aws:iam::111122223333:policy/b"},
            [{"action": "put_boundary", "arn": "arn:aws:iam::111122223333:policy/b"}],
            id="set-boundary",
        ),
        pytest.param(
            _current(permissions_boundary="arn:aws:iam::111122223333:policy/b"),
            {},
            [],
            id="boundary-not-asked-left-alone",
        ),
        pytest.param(
            _current(permissions_boundary="arn:aws:iam::111122223333:policy/b"),
            {"permissions_boundary": ""},
            [{"action": "delete_boundary"}],
            id="remove-boundary",
        ),
        pytest.param(
            _current(tags={**TAGS, "team": "a", "old": "x"}),
            {"tags": {"team": "b"}},
            [{"action": "tag_role", "tags": {"team": "b"}}, {"action": "untag_role", "keys": ["old"]}],
            id="tags-purged",
        ),
        pytest.param(
            _current(tags={**TAGS, "team": "a"}),
            {},
            [],
            id="tags-not-asked-left-alone",
        ),
        pytest.param(
            _current(tags={"team": "a"}),
            {},
            [{"action": "tag_role", "tags": TAGS}],
            id="adopted-role-gets-collection-tags",
        ),
    ],
)
def test_compare_role(current, desired_overrides, expected):
    desired = _desired(**desired_overrides)
    changes = irsa.compare_role(current, desired)
    assert [iam_role.fields(c) for c in changes] == expected
    # applying the predicted changes reaches a state with nothing more to do
    assert irsa.compare_role(irsa.predict_role(current, desired, changes), desired) == []


def test_compare_role_creates_everything():
    desired = _desired(max_session_duration=7200, permissions_boundary="arn:aws:iam::111122223333:policy/b")
    changes = irsa.compare_role(None, desired)
    assert [c["action"] for c in changes] == ["create_role", "attach_policy", "put_inline_policy"]
    create = changes[0]
    assert create["trust_policy"] == {"Version": "2012-10-17", "Statement": [OURS]}
    assert create["tags"] == TAGS
    assert create["max_session_duration"] == 7200
    assert create["permissions_boundary"] == "arn:aws:iam::111122223333:policy/b"
    predicted = irsa.predict_role(None, desired, changes)
    assert predicted["arn"] == ROLE_ARN
    assert predicted["managed_policies"] == [CNI] and predicted["inline_policies"] == {"read": INLINE}
    assert irsa.compare_role(predicted, desired) == []


def test_predict_role_does_not_touch_the_current_snapshot():
    current = _current(managed_policies=[])
    before = copy.deepcopy(current)
    desired = _desired()
    irsa.predict_role(current, desired, irsa.compare_role(current, desired))
    assert current == before


# ---------------------------------------------------------------- pod identity associations
def _association(ns, name, role, association_id="a-1"):
    return {"namespace": ns, "serviceAccount": name, "roleArn": role, "associationId": association_id}


OTHER_ROLE = "arn:aws:iam::111122223333:role/other"


@pytest.mark.parametrize(
    "current, desired, dropped, expected_actions",
    [
        ({("kube-system", "a"): _association("kube-system", "a", ROLE_ARN)}, [("kube-system", "a")], [], []),
        ({}, [("kube-system", "a")], [], ["create_association"]),
        (
            {("kube-system", "a"): _association("kube-system", "a", OTHER_ROLE)},
            [("kube-system", "a")],
            [],
            ["update_association"],
        ),
        (
            {("kube-system", "b"): _association("kube-system", "b", ROLE_ARN)},
            [],
            [("kube-system", "b")],
            ["delete_association"],
        ),
        ({("kube-system", "b"): _association("kube-system", "b", OTHER_ROLE)}, [], [("kube-system", "b")], []),
    ],
    ids=["no-change", "create", "repoint", "drop-ours", "drop-someone-elses"],
)
def test_compare_associations(current, desired, dropped, expected_actions):
    changes = irsa.compare_associations(current, desired, dropped, ROLE_ARN, "demo")
    assert [c["action"] for c in changes] == expected_actions
    for change in changes:
        assert change["cluster_name"] == "demo"
        if change["action"] != "delete_association":
            assert change["role_arn"] == ROLE_ARN


# ---------------------------------------------------------------- well-known policies
@pytest.mark.parametrize("name", list(WELL_KNOWN))
@pytest.mark.parametrize("partition", ["aws", "aws-cn", "aws-us-gov"])
def test_well_known_policies_are_complete_documents(name, partition):
    managed, inline = well_known_policies([name], partition, "demo")
    assert managed or inline
    for arn in managed:
        assert arn.startswith(f"arn:{partition}:iam::aws:policy/")
    for document in inline.values():
        text = json.dumps(document)
        assert "{partition}" not in text and "{cluster_name}" not in text
        assert f"arn:{'aws' if partition != 'aws' else 'aws-cn'}:" not in text
        assert document["Version"] == "2012-10-17" and document["Statement"]
        # IAM's limit for a role's inline policies together, without whitespace
        assert len(json.dumps(document, separators=(",", ":"))) < 10240


@pytest.mark.parametrize(
    "names, managed",
    [
        (["vpc-cni"], ["arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"]),
        (["ebs-csi"], ["arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"]),
        (["efs-csi"], ["arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy"]),
        (["vpc-cni", "vpc-cni"], ["arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"]),
        ([], []),
    ],
)
def test_well_known_managed_policies(names, managed):
    assert well_known_policies(names, "aws", "demo")[0] == managed


def test_vpc_cni_ipv6_is_the_documented_inline_policy():
    managed, inline = well_known_policies(["vpc-cni-ipv6"], "aws-cn", "demo")
    assert managed == []
    statements = inline["AmazonEKS_CNI_IPv6_Policy"]["Statement"]
    assert "ec2:AssignIpv6Addresses" in statements[0]["Action"]
    assert statements[1] == {
        "Effect": "Allow",
        "Action": ["ec2:CreateTags"],
        "Resource": ["arn:aws-cn:ec2:*:*:network-interface/*"],
    }


def test_cluster_autoscaler_is_scoped_to_the_cluster():
    _managed, inline = well_known_policies(["cluster-autoscaler"], "aws", "demo")
    scaling = inline["ClusterAutoscalerPolicy"]["Statement"][1]
    assert scaling["Condition"] == {"StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/demo": "owned"}}


def test_irsa_mode_needs_the_published_issuer():
    creating = {"arn": "arn:aws:eks:eu-west-1:111122223333:cluster/demo", "name": "demo", "status": "CREATING"}
    with pytest.raises(EksError, match="no OIDC issuer yet .* status CREATING.*wait for the cluster to be ACTIVE"):
        irsa.build_desired(_params(), creating)


# ---------------------------------------------------------------- plan and predict (role and associations)
POD_ROLE_ARN = "arn:aws:iam::111122223333:role/demo-apps-api"
POD_TAGS = {
    "aews.eks/cluster-name": "demo",
    "aews.eks/service-accounts": "apps/api apps/old",
    "aews.eks/service-account-mode": "pod_identity",
}


def _pod_desired(**overrides):
    params = _params(mode="pod_identity", service_accounts=[{"namespace": "apps", "name": "api"}], audiences=None)
    params.update(overrides)
    return irsa.build_desired(params, CLUSTER)


def _pod_current():
    return _current(
        arn=POD_ROLE_ARN,
        name="demo-apps-api",
        trust_policy={"Version": "2012-10-17", "Statement": irsa.build_pod_identity_statements()},
        managed_policies=[],
        inline_policies={},
        tags=dict(POD_TAGS),
    )


def test_association_records():
    found = {
        ("apps", "api"): _association("apps", "api", OTHER_ROLE, "a-1"),
        ("apps", "old"): _association("apps", "old", POD_ROLE_ARN, "a-2"),
    }
    changes = irsa.compare_associations(found, [("apps", "api"), ("apps", "new")], [("apps", "old")], POD_ROLE_ARN,
                                        "demo")  # fmt: skip
    assert [public(c) for c in changes] == [
        {
            "resource": "pod identity association demo apps/api",
            "action": "update_association",
            "why": f"role {OTHER_ROLE} -> {POD_ROLE_ARN}",
            "call": "update_pod_identity_association",
            "params": {"clusterName": "demo", "associationId": "a-1", "roleArn": POD_ROLE_ARN},
        },
        {
            "resource": "pod identity association demo apps/new",
            "action": "create_association",
            "why": "not found",
            "call": "create_pod_identity_association",
            "params": {"clusterName": "demo", "namespace": "apps", "serviceAccount": "new", "roleArn": POD_ROLE_ARN},
        },
        {
            "resource": "pod identity association demo apps/old",
            "action": "delete_association",
            "why": "service account no longer listed, or its role deleted",
            "call": "delete_pod_identity_association",
            "params": {"clusterName": "demo", "associationId": "a-2"},
        },
    ]


def test_plan_irsa_mode_has_only_role_records():
    desired = _desired()
    assert irsa.plan(_current(), desired) == []
    changes = irsa.plan(_current(managed_policies=[]), desired, {("kube-system", "aws-node"): {}}, [("a", "b")])
    assert [c["action"] for c in changes] == ["attach_policy"]
    role, associations = irsa.predict(_current(managed_policies=[]), desired, changes)
    assert role["managed_policies"] == [CNI] and associations is None


def test_plan_pod_identity_creates_role_then_association_and_predicts_both():
    desired = _pod_desired()
    changes = irsa.plan(None, desired, {}, [])
    assert [c["action"] for c in changes] == ["create_role", "create_association"]
    assert changes[1]["params"] == {
        "clusterName": "demo",
        "namespace": "apps",
        "serviceAccount": "api",
        "roleArn": POD_ROLE_ARN,
    }
    role, associations = irsa.predict(None, desired, changes, {})
    assert role["arn"] == POD_ROLE_ARN
    assert role["trust_policy"] == {"Version": "2012-10-17", "Statement": irsa.build_pod_identity_statements()}
    assert role["tags"]["aews.eks/service-account-mode"] == "pod_identity"
    assert associations == [
        {
            "cluster_name": "demo",
            "namespace": "apps",
            "service_account": "api",
            "role_arn": POD_ROLE_ARN,
            "association_id": None,
            "association_arn": None,
        }
    ]


def test_plan_pod_identity_drops_the_association_of_a_service_account_no_longer_listed():
    current = _pod_current()
    desired = _pod_desired()
    dropped = irsa.dropped_service_accounts(current, desired["service_accounts"])
    assert dropped == [("apps", "old")]
    found = {
        ("apps", "api"): dict(_association("apps", "api", POD_ROLE_ARN, "a-1"), associationArn="arn:a-1"),
        ("apps", "old"): _association("apps", "old", POD_ROLE_ARN, "a-2"),
    }
    changes = irsa.plan(current, desired, found, dropped)
    # the role's tag lists the one service account left; the dropped one's association to the role goes
    assert [(c["action"], c["params"]) for c in changes] == [
        (
            "tag_role",
            {"RoleName": "demo-apps-api", "Tags": [{"Key": "aews.eks/service-accounts", "Value": "apps/api"}]},
        ),
        ("delete_association", {"clusterName": "demo", "associationId": "a-2"}),
    ]
    role, associations = irsa.predict(current, desired, changes, found)
    assert role["tags"]["aews.eks/service-accounts"] == "apps/api"
    assert associations == [
        {
            "cluster_name": "demo",
            "namespace": "apps",
            "service_account": "api",
            "role_arn": POD_ROLE_ARN,
            "association_id": "a-1",
            "association_arn": "arn:a-1",
        }
    ]


def test_plan_absent_deletes_associations_then_policies_then_the_role():
    current = _current(managed_policies=[CNI], inline_policies={"read": INLINE})
    found = {("kube-system", "aws-node"): _association("kube-system", "aws-node", ROLE_ARN, "a-9")}
    changes = irsa.plan_absent(current, "demo", found, [("kube-system", "aws-node")])
    assert [(c["action"], c["params"]) for c in changes] == [
        ("delete_association", {"clusterName": "demo", "associationId": "a-9"}),
        ("detach_policy", {"RoleName": "demo-kube-system-aws-node", "PolicyArn": CNI}),
        ("delete_inline_policy", {"RoleName": "demo-kube-system-aws-node", "PolicyName": "read"}),
        ("delete_role", {"RoleName": "demo-kube-system-aws-node"}),
    ]
    role, _associations = irsa.predict(current, _desired(), changes)
    assert role is None
    # an association that points at another role is not this role's to delete
    other = {("kube-system", "aws-node"): _association("kube-system", "aws-node", OTHER_ROLE)}
    assert [c["action"] for c in irsa.plan_absent(current, "demo", other, [("kube-system", "aws-node")])] == [
        "detach_policy",
        "delete_inline_policy",
        "delete_role",
    ]
