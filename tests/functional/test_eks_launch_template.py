"""eks_launch_template against the local AWS endpoint."""

from __future__ import annotations

import base64

import boto3
import pytest
from module_runner import run_module

NAME = "lt-test"
NODE_CONFIG = (
    'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="//"\n\n--//\nContent-Type: application/node.eks.aws\n\n'
    "---\napiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  kubelet:\n    config:\n      maxPods: {}\n\n"
    "--//--\n"
)


def b64(text):
    return base64.b64encode(text.encode()).decode()


def lt_data(size=30, max_pods=None, groups=("sg-0aaaaaaaaaaaaaaaa", "sg-0bbbbbbbbbbbbbbbb"), team=None):
    tags = [{"Key": "Name", "Value": "c-ng-Node"}] + ([{"Key": "team", "Value": team}] if team else [])
    data = {
        "BlockDeviceMappings": [
            {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": size, "VolumeType": "gp3", "DeleteOnTermination": True}}
        ],
        "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 2},
        "SecurityGroupIds": list(groups),
        "TagSpecifications": [{"ResourceType": t, "Tags": tags} for t in ("instance", "volume")],
    }
    if max_pods:
        data["UserData"] = b64(NODE_CONFIG.format(max_pods))
    return data


def run(check=False, diff=True, expect_failure=False, **params):
    params.setdefault("name", NAME)
    return run_module("eks_launch_template", params, check_mode=check, diff=diff, expect_failure=expect_failure)


def writes(local_aws):
    return [e["operation"] for e in local_aws.requests(mutating=True)]


def template():
    return boto3.client("ec2").describe_launch_templates(LaunchTemplateNames=[NAME])["LaunchTemplates"][0]


def versions():
    ec2 = boto3.client("ec2")
    found = ec2.describe_launch_template_versions(LaunchTemplateName=NAME)["LaunchTemplateVersions"]
    return sorted(v["VersionNumber"] for v in found)


def tags_of(found):
    return {t["Key"]: t["Value"] for t in found.get("Tags", [])}


def test_create_check_apply_then_no_change_and_no_write(local_aws):
    params = dict(launch_template_data=lt_data(max_pods=20), tags={"owner": "c"}, version_description="c ng")
    local_aws.clear_requests()
    checked = run(check=True, **params)
    assert writes(local_aws) == []
    assert checked["changed"] and checked["created"] and checked["new_version"]
    assert checked["launch_template"] == {
        "id": None, "name": NAME, "latest_version": 1, "default_version": 1, "tags": {"owner": "c"}
    }  # fmt: skip
    assert checked["diff"]["before"] == {}
    assert checked["diff"]["after"]["launch_template_data"]["UserData"][-3:] == ["      maxPods: 20", "", "--//--"]

    made = run(**params)
    assert made["changed"] and made["version"] == 1 and made["launch_template"]["id"].startswith("lt-")
    assert writes(local_aws) == ["CreateLaunchTemplate", "CreateTags"]
    found = template()
    assert tags_of(found) == {"owner": "c"} and found["DefaultVersionNumber"] == 1
    data = boto3.client("ec2").describe_launch_template_versions(LaunchTemplateName=NAME)["LaunchTemplateVersions"][0]
    assert base64.b64decode(data["LaunchTemplateData"]["UserData"]).decode() == NODE_CONFIG.format(20)

    # The same data, its lists in another order: no change, no write (check mode, then for real).
    again = {
        **params,
        "launch_template_data": lt_data(max_pods=20, groups=("sg-0bbbbbbbbbbbbbbbb", "sg-0aaaaaaaaaaaaaaaa")),
    }
    local_aws.clear_requests()
    for check in (True, False):
        result = run(check=check, **again)
        assert not result["changed"] and not result["new_version"] and result["changes"] == []
        assert result["differences"] == []
        assert result["version"] == 1 and result["diff"]["before"] == result["diff"]["after"]
    assert writes(local_aws) == []


def test_check_mode_diff_shows_the_data_change_and_the_predicted_version(local_aws):
    run(launch_template_data=lt_data(max_pods=20))
    changed = lt_data(size=40, max_pods=110)
    local_aws.clear_requests()
    checked = run(check=True, launch_template_data=changed)
    assert writes(local_aws) == []
    assert checked["changed"] and checked["new_version"] and not checked["created"]
    assert checked["version"] == 2 and checked["launch_template"]["latest_version"] == 2
    assert checked["differences"] == ["user_data: maxPods: 20 -> 110", "volume_size: 30 -> 40"]
    assert [(c["action"], c["call"]) for c in checked["changes"]] == [
        ("create_version", "create_launch_template_version"),
        ("set_default_version", "modify_launch_template"),
    ]
    assert checked["changes"][0]["why"] == "user_data: maxPods: 20 -> 110; volume_size: 30 -> 40"
    before, after = checked["diff"]["before"], checked["diff"]["after"]
    assert (before["version"], after["version"]) == (1, 2)
    assert "      maxPods: 20" in before["launch_template_data"]["UserData"]
    assert "      maxPods: 110" in after["launch_template_data"]["UserData"]
    assert before["launch_template_data"]["BlockDeviceMappings"]["/dev/xvda"]["Ebs"]["VolumeSize"] == 30
    assert after["launch_template_data"]["BlockDeviceMappings"]["/dev/xvda"]["Ebs"]["VolumeSize"] == 40
    assert versions() == [1]

    made = run(launch_template_data=changed)
    assert made["version"] == 2 and made["new_version"] and made["differences"] == checked["differences"]
    assert made["changes"] == checked["changes"]
    assert writes(local_aws) == ["CreateLaunchTemplateVersion", "ModifyLaunchTemplate"]
    assert versions() == [1, 2] and template()["DefaultVersionNumber"] == 2
    assert not run(launch_template_data=changed)["changed"]


def test_template_tags_change_in_place_without_a_version(local_aws):
    run(launch_template_data=lt_data(), tags={"owner": "c", "drop": "me"})
    local_aws.clear_requests()
    checked = run(check=True, launch_template_data=lt_data(), tags={"owner": "d"})
    assert writes(local_aws) == []
    assert checked["changed"] and not checked["new_version"] and checked["version"] == 1
    assert checked["diff"]["before"]["tags"] == {"drop": "me", "owner": "c"}
    assert checked["diff"]["after"]["tags"] == {"owner": "d"}
    assert checked["diff"]["before"]["launch_template_data"] == checked["diff"]["after"]["launch_template_data"]

    result = run(launch_template_data=lt_data(), tags={"owner": "d"})
    assert result["changed"] and not result["new_version"]
    assert sorted(writes(local_aws)) == ["CreateTags", "DeleteTags"]
    assert versions() == [1] and tags_of(template()) == {"owner": "d"}

    # The instances' tags are in the data: they make a version, said in words.
    result = run(launch_template_data=lt_data(team="data"), tags={"owner": "d"})
    assert result["new_version"] and result["differences"] == ["instance/volume tag team: - -> data"]


def test_old_versions_beyond_keep_versions_are_deleted(local_aws):
    run(launch_template_data=lt_data(size=10), keep_versions=5)
    ec2 = boto3.client("ec2")
    for size in (11, 12, 13):
        ec2.create_launch_template_version(LaunchTemplateName=NAME, LaunchTemplateData=lt_data(size=size))
    assert versions() == [1, 2, 3, 4]

    local_aws.clear_requests()
    checked = run(check=True, launch_template_data=lt_data(size=14), keep_versions=2)
    assert writes(local_aws) == []
    assert checked["version"] == 5 and checked["deleted_versions"] == [1, 2]
    result = run(launch_template_data=lt_data(size=14), keep_versions=2)
    assert result["deleted_versions"] == [1, 2]
    assert versions() == [3, 4, 5] and template()["DefaultVersionNumber"] == 5
    assert "DeleteLaunchTemplateVersions" in writes(local_aws)

    # Fewer versions kept with the same data: only deletions, no version.
    result = run(launch_template_data=lt_data(size=14), keep_versions=0)
    assert result["changed"] and not result["new_version"] and result["deleted_versions"] == [3, 4]
    assert versions() == [5]
    assert not run(launch_template_data=lt_data(size=14), keep_versions=0)["changed"]


def test_absent(local_aws):
    run(launch_template_data=lt_data())
    local_aws.clear_requests()
    checked = run(check=True, state="absent")
    assert checked["changed"] and writes(local_aws) == []
    assert checked["diff"]["before"]["name"] == NAME and checked["diff"]["after"] == {}
    assert run(state="absent")["changed"]
    assert writes(local_aws) == ["DeleteLaunchTemplate"]
    assert boto3.client("ec2").describe_launch_templates()["LaunchTemplates"] == []
    assert not run(state="absent")["changed"] and not run(check=True, state="absent")["changed"]


def test_interrupted_runs_resume_without_a_second_version(local_aws):
    # Interrupted after the create, before the tags: the re-run tags the template and makes no version.
    local_aws.faults(fail_next=[{"operation": "ec2:CreateTags", "count": 20, "error": "UnauthorizedOperation"}])
    failed = run(launch_template_data=lt_data(), tags={"owner": "c"}, expect_failure=True)
    assert "tag the launch template" in failed["msg"]
    local_aws.faults()
    assert versions() == [1] and tags_of(template()) == {}
    local_aws.clear_requests()
    resumed = run(launch_template_data=lt_data(), tags={"owner": "c"})
    assert resumed["changed"] and not resumed["new_version"] and not resumed["created"]
    assert writes(local_aws) == ["CreateTags"]
    assert versions() == [1] and tags_of(template()) == {"owner": "c"}

    # Interrupted after the new version, before it became the default: the re-run only makes it the default.
    local_aws.faults(
        fail_next=[{"operation": "ec2:ModifyLaunchTemplate", "count": 20, "error": "UnauthorizedOperation"}]
    )
    run(launch_template_data=lt_data(size=40), tags={"owner": "c"}, expect_failure=True)
    local_aws.faults()
    assert versions() == [1, 2] and template()["DefaultVersionNumber"] == 1
    local_aws.clear_requests()
    checked = run(check=True, launch_template_data=lt_data(size=40), tags={"owner": "c"})
    assert checked["changed"] and not checked["new_version"] and checked["version"] == 2
    resumed = run(launch_template_data=lt_data(size=40), tags={"owner": "c"})
    assert resumed["changed"] and not resumed["new_version"] and resumed["version"] == 2
    assert writes(local_aws) == ["ModifyLaunchTemplate"]
    assert versions() == [1, 2] and template()["DefaultVersionNumber"] == 2


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(launch_template_data={"BlockDevices": []}), "launch_template_data: unknown key(s) BlockDevices"),
        (dict(launch_template_data={"MetadataOptions": {"HttpPutResponseHopLimit": "two"}}),
         "parameter launch_template_data.MetadataOptions.HttpPutResponseHopLimit, value: two"),
        (dict(launch_template_data={"UserData": "not base64!"}), "launch_template_data.UserData must be base64"),
        (dict(name="x", launch_template_data={}), "name must be 3 to 128"),
        (dict(launch_template_data={}, keep_versions=-1), "keep_versions must be 0 or more"),
    ],
)  # fmt: skip
def test_bad_input_fails_naming_the_field_before_any_call(local_aws, params, message):
    local_aws.clear_requests()
    result = run(expect_failure=True, **params)
    assert message in result["msg"]
    assert local_aws.requests() == []


@pytest.fixture
def sent(monkeypatch):
    """The parameters of every EC2 launch template create the modules send, in order (in this process)."""
    import botocore.client

    calls = []
    original = botocore.client.BaseClient._make_api_call

    def recording(self, operation, params):
        if operation in ("CreateLaunchTemplate", "CreateLaunchTemplateVersion"):
            calls.append((operation, dict(params)))
        return original(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    return calls


def test_an_interrupted_version_create_resumed_sends_the_same_token_and_makes_one_version(local_aws, sent):
    run(launch_template_data=lt_data())
    # A fault on the way (retried at once by the module) and a run stopped by a refusal: every attempt at the same
    # version carries the same client token, so AWS makes it once whichever attempt reached it.
    local_aws.faults(
        fail_next=[
            {"operation": "ec2:CreateLaunchTemplateVersion", "count": 1, "error": "InternalError"},
        ]
    )
    run(launch_template_data=lt_data(size=40))
    local_aws.faults(
        fail_next=[{"operation": "ec2:CreateLaunchTemplateVersion", "count": 1, "error": "UnauthorizedOperation"}]
    )
    run(launch_template_data=lt_data(size=50), expect_failure=True)
    local_aws.faults()
    resumed = run(launch_template_data=lt_data(size=50))
    assert resumed["new_version"] and resumed["version"] == 3
    assert versions() == [1, 2, 3]

    creates = [(operation, params.get("ClientToken")) for operation, params in sent]
    assert creates[0][0] == "CreateLaunchTemplate" and creates[0][1]
    tokens = [token for operation, token in creates[1:]]
    assert len(tokens) == 4 and all(tokens)
    assert tokens[0] == tokens[1] != tokens[2] == tokens[3]  # the retry, then the run stopped and the one resumed
    assert len({t for _o, t in creates}) == 3
