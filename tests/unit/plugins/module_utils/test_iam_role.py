"""The pure parts of _eks/iam_role.py: canonical policy documents, input checks, the planner and its prediction."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from ansible_collections.aews.eks.plugins.module_utils._eks import iam_role
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError

WORKER = "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"
ECR = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"
SSM = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
READ = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
NODE_TRUST = iam_role.service_trust("ec2.amazonaws.com")


# ---------------------------------------------------------------- canonical documents
@pytest.mark.parametrize(
    "a, b",
    [
        pytest.param(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]},
            {"Statement": {"Resource": ["*"], "Action": ["s3:GetObject"], "Effect": "Allow"}, "Version": "2012-10-17"},
            id="string-vs-list-and-dict-statement",
        ),
        pytest.param(
            {"Statement": [{"Effect": "Allow", "Action": ["b:X", "a:Y", "a:Y"], "Resource": "*"}]},
            {"Statement": [{"Effect": "Allow", "Action": ["a:Y", "b:X"], "Resource": "*"}]},
            id="action-order-and-duplicates",
        ),
        pytest.param(
            {"Statement": [{"Sid": "1", "Effect": "Allow", "Action": "a:X"}, {"Sid": "2", "Effect": "Deny", "Action": "b:Y"}]},
            {"Statement": [{"Sid": "2", "Effect": "Deny", "Action": "b:Y"}, {"Sid": "1", "Effect": "Allow", "Action": "a:X"}]},
            id="statement-order",
        ),
        pytest.param(
            {"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            {"Statement": [{"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}]},
            id="principal-string-vs-list",
        ),
        pytest.param(
            {"Statement": [{"Effect": "Allow", "Action": "a:X", "Condition": {"Bool": {"aws:SecureTransport": True}}}]},
            {"Statement": [{"Effect": "Allow", "Action": "a:X", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]},
            id="condition-bool-vs-string",
        ),
        pytest.param(
            quote(json.dumps(READ)),
            READ,
            id="url-encoded-as-iam-returns-it",
        ),
        pytest.param(json.dumps(READ), READ, id="json-text"),
    ],
)  # fmt: skip
def test_same_meaning_in_another_form_does_not_differ(a, b):
    assert not iam_role.policies_differ(a, b)
    assert iam_role.canonical_policy(a) == iam_role.canonical_policy(b)


@pytest.mark.parametrize(
    "a, b",
    [
        pytest.param(READ, {**READ, "Statement": [{**READ["Statement"][0], "Effect": "Deny"}]}, id="effect"),
        pytest.param(READ, {**READ, "Statement": [{**READ["Statement"][0], "Action": ["s3:GetObject", "s3:PutObject"]}]},
                     id="one-more-action"),
        pytest.param(NODE_TRUST, iam_role.service_trust("eks.amazonaws.com"), id="other-service"),
        pytest.param({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "a:X"}]},
                     {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                                     "Action": "a:X"}]}, id="principal"),
    ],
)  # fmt: skip
def test_another_meaning_differs(a, b):
    assert iam_role.policies_differ(a, b)


def test_canonical_form_is_sorted_lists_with_single_values_kept():
    assert iam_role.canonical_policy(
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": ["b:Y", "a:X"]}}
    ) == {"Statement": [{"Action": ["a:X", "b:Y"], "Effect": "Allow", "Principal": "*"}], "Version": "2012-10-17"}


def test_numbers_given_as_tag_values_are_written_as_strings():
    assert iam_role.build_desired(_params(tags={"cost": 12, "team": "a"}))["tags"] == {"cost": "12", "team": "a"}


def test_service_trust_is_eksctls():
    assert iam_role.service_trust("eks.amazonaws.com") == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "eks.amazonaws.com"},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
            }
        ],
    }
    assert NODE_TRUST["Statement"][0]["Action"] == ["sts:AssumeRole"]


# ---------------------------------------------------------------- input checks
def _params(**overrides):
    params = dict(
        name="demo-ng-node-role",
        path=None,
        description=None,
        trusted_service="ec2.amazonaws.com",
        assume_role_policy=None,
        managed_policy_arns=[WORKER, ECR],
        inline_policies={"read": READ},
        purge_policies=True,
        permissions_boundary=None,
        max_session_duration=None,
        tags={"aews.eks/cluster-name": "demo"},
        purge_tags=True,
        state="present",
    )
    params.update(overrides)
    return params


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"name": "x" * 65}, "name: "),
        ({"name": "a b"}, "name: 'a b' must be 1 to 64"),
        ({"managed_policy_arns": [WORKER, "AmazonEKSWorkerNodePolicy"]},
         "managed_policy_arns[1]: 'AmazonEKSWorkerNodePolicy' is not a managed policy ARN"),
        ({"managed_policy_arns": ["arn:aws:iam::aws:role/X"]}, "managed_policy_arns[0]: 'arn:aws:iam::aws:role/X'"),
        ({"managed_policy_arns": ["arn:aws:s3:::bucket"]}, "managed_policy_arns[0]: 'arn:aws:s3:::bucket'"),
        ({"permissions_boundary": "boundary"}, "permissions_boundary: 'boundary' is not a managed policy ARN"),
        ({"max_session_duration": 43201}, "max_session_duration: 43201 is outside 3600..43200 seconds"),
        ({"path": "/no-end"}, "path: '/no-end' must start and end with '/'"),
        ({"inline_policies": {"bad name": READ}}, "inline_policies: 'bad name' is not a policy name"),
        ({"inline_policies": {"read": "{"}}, "inline_policies.read: not valid JSON"),
        ({"inline_policies": {"read": {"Version": "2012-10-17"}}}, "inline_policies.read: a policy document with a Statement"),
        ({"assume_role_policy": "[]", "trusted_service": None}, "assume_role_policy: a policy document with a Statement"),
        ({"tags": {"cost": [12]}}, "tags.cost: [12] is not a tag value"),
    ],
)  # fmt: skip
def test_bad_input_names_the_option_and_the_value(overrides, message):
    with pytest.raises(EksError) as e:
        iam_role.validate_params(_params(**overrides))
    assert message in str(e.value)


@pytest.mark.parametrize(
    "arn",
    [
        WORKER,
        "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
        "arn:aws:iam::123456789012:policy/team/boundary",
        "arn:aws-cn:iam::aws:policy/AmazonEKSClusterPolicy",
        "arn:aws-us-gov:iam::123456789012:policy/x",
    ],
)
def test_policy_arns_of_every_partition_and_path_are_accepted(arn):
    iam_role.validate_params(_params(managed_policy_arns=[arn], permissions_boundary=arn))


# ---------------------------------------------------------------- the planner
def _current(**overrides):
    role = {
        "arn": "arn:aws:iam::123456789012:role/demo-ng-node-role",
        "name": "demo-ng-node-role",
        "path": "/",
        "role_id": "AROA1",
        "create_date": "2026-01-01T00:00:00+00:00",
        "trust_policy": {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        },
        "description": "",
        "max_session_duration": 3600,
        "permissions_boundary": None,
        "managed_policies": [ECR, WORKER],
        "inline_policies": {"read": json.loads(json.dumps(READ))},
        "tags": {"aews.eks/cluster-name": "demo"},
    }
    role.update(overrides)
    return role


def _plan(current, **overrides):
    desired = iam_role.build_desired(_params(**overrides))
    desired["arn"] = "arn:aws:iam::123456789012:role/demo-ng-node-role"
    return desired, iam_role.compare_role(current, desired, desired["trust_policy"])


def test_new_role_is_created_whole():
    desired, changes = _plan(None, description="Nodes", path="/eks/", max_session_duration=7200,
                             permissions_boundary="arn:aws:iam::123456789012:policy/b")  # fmt: skip
    assert [iam_role.fields(c) for c in changes] == [
        {
            "action": "create_role",
            "name": "demo-ng-node-role",
            "trust_policy": NODE_TRUST,
            "tags": {"aews.eks/cluster-name": "demo"},
            "path": "/eks/",
            "description": "Nodes",
            "max_session_duration": 7200,
            "permissions_boundary": "arn:aws:iam::123456789012:policy/b",
        },
        {"action": "attach_policy", "arn": WORKER},
        {"action": "attach_policy", "arn": ECR},
        {"action": "put_inline_policy", "policy_name": "read", "document": READ},
    ]
    predicted = iam_role.predict_role(None, desired, changes)
    assert predicted["path"] == "/eks/" and predicted["managed_policies"] == [WORKER, ECR]
    assert predicted["inline_policies"] == {"read": READ} and predicted["max_session_duration"] == 7200


def test_records_name_the_call_and_its_parameters():
    _desired, changes = _plan(_current(managed_policies=[WORKER], tags={"x": "1"}),
                              tags={"aews.eks/cluster-name": "demo"})  # fmt: skip
    assert [(c["resource"], c["action"], c["why"], c["call"], c["params"]) for c in changes] == [
        ("IAM role demo-ng-node-role", "attach_policy", ECR, "attach_role_policy",
         {"RoleName": "demo-ng-node-role", "PolicyArn": ECR}),
        ("IAM role demo-ng-node-role", "tag_role", "aews.eks/cluster-name", "tag_role",
         {"RoleName": "demo-ng-node-role", "Tags": [{"Key": "aews.eks/cluster-name", "Value": "demo"}]}),
        ("IAM role demo-ng-node-role", "untag_role", "x", "untag_role", {"RoleName": "demo-ng-node-role", "TagKeys": ["x"]}),
    ]  # fmt: skip


def test_role_as_asked_needs_no_change():
    assert _plan(_current())[1] == []


@pytest.mark.parametrize(
    "current, overrides, expected",
    [
        pytest.param(_current(managed_policies=[WORKER, ECR, SSM]), {}, [{"action": "detach_policy", "arn": SSM}],
                     id="purge-managed"),
        pytest.param(_current(managed_policies=[WORKER, ECR, SSM]), {"purge_policies": False}, [], id="no-purge"),
        pytest.param(_current(managed_policies=[WORKER]), {}, [{"action": "attach_policy", "arn": ECR}], id="attach"),
        pytest.param(_current(managed_policies=[SSM]), {"managed_policy_arns": None}, [], id="managed-not-asked"),
        pytest.param(_current(inline_policies={"read": READ, "old": READ}), {},
                     [{"action": "delete_inline_policy", "policy_name": "old"}], id="purge-inline"),
        pytest.param(_current(inline_policies={"old": READ}), {"inline_policies": None}, [], id="inline-not-asked"),
        pytest.param(_current(inline_policies={}), {"inline_policies": {}}, [], id="no-inline"),
        pytest.param(_current(), {"trusted_service": "eks.amazonaws.com"},
                     [{"action": "update_trust", "trust_policy": iam_role.service_trust("eks.amazonaws.com")}],
                     id="trust"),
        pytest.param(_current(), {"trusted_service": None}, [], id="trust-not-asked"),
        pytest.param(_current(), {"description": "Nodes", "max_session_duration": 7200},
                     [{"action": "update_role", "description": "Nodes", "max_session_duration": 7200}], id="role"),
        pytest.param(_current(permissions_boundary="arn:aws:iam::123456789012:policy/b"), {"permissions_boundary": ""},
                     [{"action": "delete_boundary"}], id="boundary-removed"),
        pytest.param(_current(tags={"aews.eks/cluster-name": "demo", "x": "1"}),
                     {"tags": {"aews.eks/cluster-name": "demo", "Name": "n"}},
                     [{"action": "tag_role", "tags": {"Name": "n"}}, {"action": "untag_role", "keys": ["x"]}],
                     id="tags"),
        pytest.param(_current(tags={"x": "1"}), {"tags": None}, [], id="tags-not-asked"),
    ],
)  # fmt: skip
def test_changes_are_only_what_differs(current, overrides, expected):
    desired, changes = _plan(current, **overrides)
    assert [iam_role.fields(c) for c in changes] == expected
    predicted = iam_role.predict_role(current, desired, changes)
    # What the changes lead to needs no further change.
    assert iam_role.compare_role(predicted, desired, desired["trust_policy"]) == []


def test_deletion_empties_the_role_first():
    current = _current(inline_policies={"read": READ})
    changes = iam_role.deletion_changes(current, ["demo-ng-node-role"])
    assert [(c["call"], c["params"]) for c in changes][::4] == [
        (
            "remove_role_from_instance_profile",
            {"InstanceProfileName": "demo-ng-node-role", "RoleName": "demo-ng-node-role"},
        ),
        ("delete_role", {"RoleName": "demo-ng-node-role"}),
    ]
    assert [iam_role.fields(c) for c in changes] == [
        {"action": "remove_from_instance_profile", "instance_profile": "demo-ng-node-role"},
        {"action": "detach_policy", "arn": ECR},
        {"action": "detach_policy", "arn": WORKER},
        {"action": "delete_inline_policy", "policy_name": "read"},
        {"action": "delete_role", "name": "demo-ng-node-role"},
    ]
    assert iam_role.predict_role(current, {}, changes) is None


def test_views_are_stable_and_the_diff_holds_nothing_only_aws_sets():
    role = _current(managed_policies=[WORKER, ECR], tags={"b": "2", "a": "1"})
    view = iam_role.role_view(role)
    assert view["managed_policies"] == [ECR, WORKER]
    assert list(view["tags"]) == ["a", "b"]
    assert view["trust_policy"]["Statement"][0]["Action"] == ["sts:AssumeRole"]
    diff = iam_role.diff_view(role)
    assert not {"arn", "role_id", "create_date"} & set(diff)
    assert role["managed_policies"] == [WORKER, ECR]  # the snapshot itself is left as it was
