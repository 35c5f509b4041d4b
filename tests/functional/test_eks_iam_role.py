"""eks_iam_role against the local AWS endpoint: a role complete in one run, check mode, diff, drift, absent."""

from __future__ import annotations

import json

import boto3
import pytest
from four_steps import four_steps
from module_runner import run_module

NAME = "demo-ng-node-role"
OWNER = {"aews.eks/cluster-name": "demo"}
WORKER = "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"
ECR = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"
SSM = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
CNI = "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"
READ = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "arn:aws:s3:::b/*"}],
}
LOGS = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}}


def params(**overrides):
    """The node role's parameters; an override None leaves the option out."""
    base = dict(
        name=NAME,
        description="Nodes of demo nodegroup ng",
        trusted_service="ec2.amazonaws.com",
        managed_policy_arns=[WORKER, ECR],
        inline_policies={"read": READ},
        tags=dict(OWNER, Name=NAME),
    )
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def run(args, check=False, diff=False, **kwargs):
    return run_module("eks_iam_role", dict(args), check_mode=check, diff=diff, **kwargs)


def iam():
    return boto3.client("iam")


def live(name=NAME):
    client = iam()
    role = client.get_role(RoleName=name)["Role"]
    return {
        "trust": role["AssumeRolePolicyDocument"],
        "description": role.get("Description"),
        "managed": sorted(
            p["PolicyArn"] for p in client.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
        ),
        "inline": {
            n: client.get_role_policy(RoleName=name, PolicyName=n)["PolicyDocument"]
            for n in client.list_role_policies(RoleName=name)["PolicyNames"]
        },
        "tags": {t["Key"]: t["Value"] for t in client.list_role_tags(RoleName=name)["Tags"]},
    }


def writes(local_aws, start):
    return [r["operation"] for r in local_aws.requests(mutating=True)[start:]]


def test_create_in_one_run_then_no_change_in_check_and_real_runs(local_aws, aws_calls):
    checked, applied, final = four_steps(
        "eks_iam_role", "role", params(), aws_calls=aws_calls, reads=("iam", "GetRole"), local_aws=local_aws, diff=True
    )
    # Check mode predicted the role exactly as the run made it, ARN included (from the caller's account).
    assert checked["role"] == {**applied["role"], "role_id": None, "create_date": None}
    assert checked["arn"] == applied["arn"] == f"arn:aws:iam::123456789012:role/{NAME}"
    assert checked["created"] is True and applied["created"] is True and final["created"] is False
    assert applied["role_name"] == NAME
    assert checked["changes"] == applied["changes"]
    assert [c["action"] for c in applied["changes"]] == [
        "create_role", "attach_policy", "attach_policy", "put_inline_policy",
    ]  # fmt: skip
    assert checked["diff"]["before"] == {}
    assert checked["diff"]["after"] == applied["diff"]["after"]
    assert "arn" not in applied["diff"]["after"] and "role_id" not in applied["diff"]["after"]
    assert applied["diff"]["after"]["trust_policy"] == {
        "Statement": [
            {"Action": ["sts:AssumeRole"], "Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com"]}}
        ],
        "Version": "2012-10-17",
    }
    assert final["diff"]["before"] == final["diff"]["after"]
    role = live()
    assert role["managed"] == sorted([WORKER, ECR])
    assert role["inline"] == {"read": READ}
    assert role["tags"] == dict(OWNER, Name=NAME)
    assert role["description"] == "Nodes of demo nodegroup ng"
    # One module run made the role whole, and said nothing: no warning, no deprecation.
    for result in (checked, applied, final):
        assert not result.get("warnings") and not result.get("deprecations"), result


def test_changes_of_trust_managed_inline_and_tags_are_diffed_then_made(local_aws):
    run(params(managed_policy_arns=[WORKER, ECR, SSM], inline_policies={"read": READ, "logs": LOGS}))
    changed = params(
        trusted_service=None,
        assume_role_policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                        "Action": "sts:AssumeRole",
                    },
                ],
            }
        ),
        managed_policy_arns=[WORKER, CNI],
        inline_policies={"read": {**READ, "Statement": [{**READ["Statement"][0], "Resource": "arn:aws:s3:::c/*"}]}},
        tags=dict(OWNER, Name=NAME, team="platform"),
    )
    start = len(local_aws.requests(mutating=True))
    checked = run(changed, check=True, diff=True)
    assert writes(local_aws, start) == []
    before, after = checked["diff"]["before"], checked["diff"]["after"]
    assert before["managed_policies"] == sorted([WORKER, ECR, SSM]) and after["managed_policies"] == sorted(
        [WORKER, CNI]
    )
    assert sorted(before["inline_policies"]) == ["logs", "read"] and list(after["inline_policies"]) == ["read"]
    assert after["inline_policies"]["read"]["Statement"][0]["Resource"] == ["arn:aws:s3:::c/*"]
    assert len(before["trust_policy"]["Statement"]) == 1 and len(after["trust_policy"]["Statement"]) == 2
    assert after["tags"] == dict(sorted(dict(OWNER, Name=NAME, team="platform").items()))
    assert sorted(c["action"] for c in checked["changes"]) == sorted(
        ["update_trust", "attach_policy", "detach_policy", "detach_policy", "put_inline_policy",
         "delete_inline_policy", "tag_role"]
    )  # fmt: skip

    applied = run(changed, diff=True)
    assert applied["changes"] == checked["changes"]
    assert applied["role"] == checked["role"]
    assert applied["diff"] == checked["diff"]
    role = live()
    assert role["managed"] == sorted([WORKER, CNI]) and sorted(role["inline"]) == ["read"]
    assert role["tags"]["team"] == "platform" and len(role["trust"]["Statement"]) == 2
    start = len(local_aws.requests(mutating=True))
    assert run(changed)["changed"] is False
    assert writes(local_aws, start) == []


def test_drift_is_reported_and_repaired(local_aws):
    run(params())
    client = iam()
    # Behind the module's back: another policy attached, one detached, the inline policy and trust rewritten in
    # another form with another meaning, a tag changed, the description edited.
    client.attach_role_policy(RoleName=NAME, PolicyArn=SSM)
    client.detach_role_policy(RoleName=NAME, PolicyArn=ECR)
    client.put_role_policy(RoleName=NAME, PolicyName="read", PolicyDocument=json.dumps(LOGS))
    client.put_role_policy(RoleName=NAME, PolicyName="extra", PolicyDocument=json.dumps(LOGS))
    trust = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"},
                                                    "Action": "sts:AssumeRole"}}  # fmt: skip
    client.update_assume_role_policy(RoleName=NAME, PolicyDocument=json.dumps(trust))
    client.tag_role(RoleName=NAME, Tags=[{"Key": "Name", "Value": "other"}])
    client.update_role(RoleName=NAME, Description="edited")

    start = len(local_aws.requests(mutating=True))
    checked = run(params(), check=True, diff=True)
    assert writes(local_aws, start) == []
    assert sorted(c["action"] for c in checked["changes"]) == sorted(
        ["update_trust", "update_role", "attach_policy", "detach_policy", "put_inline_policy",
         "delete_inline_policy", "tag_role"]
    )  # fmt: skip
    assert checked["diff"]["before"]["description"] == "edited"
    assert checked["diff"]["after"]["description"] == "Nodes of demo nodegroup ng"

    repaired = run(params())
    assert repaired["changed"] is True and repaired["created"] is False
    role = live()
    assert role["managed"] == sorted([WORKER, ECR])
    assert role["inline"] == {"read": READ}
    assert role["trust"]["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    assert role["tags"]["Name"] == NAME and role["description"] == "Nodes of demo nodegroup ng"
    assert run(params())["changed"] is False


def test_documents_in_another_form_with_the_same_meaning_change_nothing(local_aws):
    """Reordered JSON, a single Action or Resource as a string, a statement as a dict, a duplicate action."""
    run(params())
    client = iam()
    reordered = {"Statement": {"Resource": ["arn:aws:s3:::b/*"], "Action": ["s3:ListBucket", "s3:GetObject", "s3:GetObject"],
                               "Effect": "Allow"}, "Version": "2012-10-17"}  # fmt: skip
    client.put_role_policy(RoleName=NAME, PolicyName="read", PolicyDocument=json.dumps(reordered))
    trust = {"Statement": [{"Action": ["sts:AssumeRole"], "Principal": {"Service": ["ec2.amazonaws.com"]},
                            "Effect": "Allow"}], "Version": "2012-10-17"}  # fmt: skip
    client.update_assume_role_policy(RoleName=NAME, PolicyDocument=json.dumps(trust))
    start = len(local_aws.requests(mutating=True))
    result = run(params(), diff=True)
    assert result["changed"] is False, result["changes"]
    assert writes(local_aws, start) == []


def test_what_is_not_asked_for_is_left_as_it_is(local_aws):
    """Without managed_policy_arns, inline_policies or tags, or with purge_policies=false, nothing is removed."""
    run(params())
    client = iam()
    client.attach_role_policy(RoleName=NAME, PolicyArn=SSM)
    client.put_role_policy(RoleName=NAME, PolicyName="extra", PolicyDocument=json.dumps(LOGS))
    client.tag_role(RoleName=NAME, Tags=[{"Key": "extra", "Value": "1"}])
    bare = {"name": NAME}
    assert run(bare)["changed"] is False
    assert run(params(purge_policies=False, purge_tags=False))["changed"] is False
    role = live()
    assert SSM in role["managed"] and "extra" in role["inline"] and role["tags"]["extra"] == "1"


def test_absent_removes_instance_profiles_and_policies_first(local_aws):
    run(params())
    client = iam()
    client.create_instance_profile(InstanceProfileName=NAME)
    client.add_role_to_instance_profile(InstanceProfileName=NAME, RoleName=NAME)

    start = len(local_aws.requests(mutating=True))
    checked = run({"name": NAME, "state": "absent"}, check=True, diff=True)
    assert writes(local_aws, start) == []
    assert [c["action"] for c in checked["changes"]] == [
        "remove_from_instance_profile", "detach_policy", "detach_policy", "delete_inline_policy", "delete_role",
    ]  # fmt: skip
    assert checked["diff"]["after"] == {} and checked["diff"]["before"]["name"] == NAME
    assert checked["arn"] is None and checked["role"] is None

    deleted = run({"name": NAME, "state": "absent"})
    assert deleted["changes"] == checked["changes"]
    assert writes(local_aws, start) == [
        "RemoveRoleFromInstanceProfile", "DetachRolePolicy", "DetachRolePolicy", "DeleteRolePolicy", "DeleteRole",
    ]  # fmt: skip
    with pytest.raises(client.exceptions.NoSuchEntityException):
        client.get_role(RoleName=NAME)
    start = len(local_aws.requests(mutating=True))
    again = run({"name": NAME, "state": "absent"})
    assert again["changed"] is False and again["changes"] == []
    assert writes(local_aws, start) == []


@pytest.mark.parametrize(
    "overrides, message",
    [
        pytest.param(
            {"managed_policy_arns": [WORKER, "AmazonEKSWorkerNodePolicy"]},
            "managed_policy_arns[1]: 'AmazonEKSWorkerNodePolicy' is not a managed policy ARN",
            id="policy-name-not-arn",
        ),
        pytest.param(
            {"managed_policy_arns": ["arn:aws:iam::aws:role/AmazonEKSWorkerNodePolicy"]},
            "managed_policy_arns[0]: 'arn:aws:iam::aws:role/AmazonEKSWorkerNodePolicy' is not a managed policy ARN",
            id="role-arn",
        ),
        pytest.param(
            {"permissions_boundary": "arn:aws:iam::12345:policy/boundary"},
            "permissions_boundary: 'arn:aws:iam::12345:policy/boundary' is not a managed policy ARN",
            id="boundary-short-account",
        ),
        pytest.param(
            {"inline_policies": {"read": "{not json"}}, "inline_policies.read: not valid JSON", id="inline-not-json"
        ),
        pytest.param({"max_session_duration": 60}, "max_session_duration: 60 is outside", id="session"),
        pytest.param({"path": "nodes"}, "path: 'nodes' must start and end with '/'", id="path"),
    ],
)
def test_bad_input_fails_before_any_aws_call(local_aws, aws_calls, overrides, message):
    start = len(local_aws.requests())
    failed = run(params(**overrides), expect_failure=True)
    assert message in failed["msg"]
    assert aws_calls.calls == []
    assert local_aws.requests()[start:] == []


def test_a_role_under_another_path_is_not_moved(local_aws):
    run(params(path="/eks/"))
    assert iam().get_role(RoleName=NAME)["Role"]["Arn"] == f"arn:aws:iam::123456789012:role/eks/{NAME}"
    start = len(local_aws.requests(mutating=True))
    failed = run(params(path="/"), expect_failure=True)
    assert "path: role demo-ng-node-role has the path '/eks/', not '/'" in failed["msg"]
    assert writes(local_aws, start) == []
    assert run(params())["changed"] is False  # no path asked: the role stays where it is


def test_permissions_boundary_is_set_changed_and_removed(local_aws):
    """The boundary is made with the role, changed in place (check mode says so and writes nothing), and removed
    with "": the cluster definition's iam.service_role_permissions_boundary reaches the cluster role this way."""
    client = iam()
    first = client.create_policy(PolicyName="boundary-a", PolicyDocument=json.dumps(LOGS))["Policy"]["Arn"]
    second = client.create_policy(PolicyName="boundary-b", PolicyDocument=json.dumps(LOGS))["Policy"]["Arn"]

    def boundary():
        return client.get_role(RoleName=NAME)["Role"].get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")

    assert run(params(permissions_boundary=first))["changed"] is True
    assert boundary() == first
    assert run(params(permissions_boundary=first))["changed"] is False

    start = len(local_aws.requests(mutating=True))
    checked = run(params(permissions_boundary=second), check=True, diff=True)
    assert checked["changed"] is True and writes(local_aws, start) == []
    assert [c["action"] for c in checked["changes"]] == ["put_boundary"]
    assert first in json.dumps(checked["diff"]["before"]) and second in json.dumps(checked["diff"]["after"])
    assert boundary() == first

    assert run(params(permissions_boundary=second))["changed"] is True
    assert boundary() == second
    assert run(params(permissions_boundary=""))["changed"] is True
    assert boundary() is None
    assert run(params(permissions_boundary=""))["changed"] is False


CLUSTER_ROLE = "demo-cluster-role"
CLUSTER_POLICY = "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"


def several(**node):
    """The cluster role with the node role of params() as its one additional role."""
    return dict(
        name=CLUSTER_ROLE,
        trusted_service="eks.amazonaws.com",
        managed_policy_arns=[CLUSTER_POLICY],
        tags=dict(OWNER, Name=CLUSTER_ROLE),
        additional_roles=[params(**node)],
    )


def test_additional_roles_are_made_predicted_and_converged_in_the_same_run(local_aws):
    start = len(local_aws.requests(mutating=True))
    checked = run(several(), check=True, diff=True)
    assert writes(local_aws, start) == []
    applied = run(several(), diff=True)
    final = run(several(), diff=True)

    assert checked["changed"] and applied["changed"] and not final["changed"]
    assert checked["changes"] == applied["changes"]
    # The role's records first, then the additional role's, each naming its role.
    assert [(c["resource"], c["action"]) for c in applied["changes"]] == [
        (f"IAM role {CLUSTER_ROLE}", "create_role"),
        (f"IAM role {CLUSTER_ROLE}", "attach_policy"),
        (f"IAM role {NAME}", "create_role"),
        (f"IAM role {NAME}", "attach_policy"),
        (f"IAM role {NAME}", "attach_policy"),
        (f"IAM role {NAME}", "put_inline_policy"),
    ]
    assert applied["arn"] == f"arn:aws:iam::123456789012:role/{CLUSTER_ROLE}"
    for result in (checked, applied, final):
        [other] = result["additional_roles"]
        assert other["role_name"] == NAME and other["arn"] == f"arn:aws:iam::123456789012:role/{NAME}"
    assert [r["created"] for r in checked["additional_roles"] + applied["additional_roles"]] == [True, True]
    assert final["additional_roles"][0]["created"] is False
    assert checked["additional_roles"][0]["role"] == {
        **applied["additional_roles"][0]["role"], "role_id": None, "create_date": None
    }
    assert applied["diff"]["before"] == {"additional_roles": {}}
    assert applied["diff"]["after"]["additional_roles"][NAME]["managed_policies"] == sorted([WORKER, ECR])
    assert final["diff"]["before"] == final["diff"]["after"]
    role = live()
    assert role["managed"] == sorted([WORKER, ECR]) and role["inline"] == {"read": READ}
    assert role["tags"] == dict(OWNER, Name=NAME)

    # Drift of the additional role is reported by the same run and repaired.
    iam().attach_role_policy(RoleName=NAME, PolicyArn=SSM)
    drifted = run(several(), check=True, diff=True)
    assert [(c["resource"], c["action"]) for c in drifted["changes"]] == [(f"IAM role {NAME}", "detach_policy")]
    assert SSM in drifted["diff"]["before"]["additional_roles"][NAME]["managed_policies"]
    assert run(several())["changed"] is True
    assert live()["managed"] == sorted([WORKER, ECR])


@pytest.mark.parametrize(
    "node, extra, message",
    [
        pytest.param({"path": "nodes"}, {}, "additional_roles[0]: path: 'nodes' must start and end with '/'", id="path"),
        pytest.param({"name": CLUSTER_ROLE}, {}, f"additional_roles[0].name: '{CLUSTER_ROLE}' is named twice", id="twice"),
        pytest.param({}, {"state": "absent"}, "additional_roles: only with state=present", id="absent"),
    ],
)
def test_bad_additional_roles_fail_before_any_aws_call(local_aws, aws_calls, node, extra, message):
    start = len(local_aws.requests())
    failed = run(dict(several(**node), **extra), expect_failure=True)
    assert message in failed["msg"]
    assert aws_calls.calls == []
    assert local_aws.requests()[start:] == []
