"""Launch templates: the data compared as AWS answers it, the changes in words, the plan of a run (pure)."""

from __future__ import annotations

import base64

import pytest

from ansible_collections.aews.eks.plugins.module_utils._eks import launch_template as lt
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError


def b64(text):
    return base64.b64encode(text.encode()).decode()


WANT = {
    "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 30, "VolumeType": "gp3"}}],
    "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 2},
    "SecurityGroupIds": ["sg-1", "sg-2"],
    "KeyName": "c-ng",
    "UserData": b64("[settings.kubernetes]\nmax-pods = 30\n"),
    "TagSpecifications": [
        {"ResourceType": "instance", "Tags": [{"Key": "a", "Value": "1"}, {"Key": "Name", "Value": "n"}]},
        {"ResourceType": "volume", "Tags": [{"Key": "a", "Value": "1"}, {"Key": "Name", "Value": "n"}]},
    ],
}

# As DescribeLaunchTemplateVersions answers it: the defaults AWS fills in, the metadata state, other orders.
HAVE = {
    "UserData": b64("[settings.kubernetes]\nmax-pods = 30\n"),
    "TagSpecifications": [
        {"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": "n"}, {"Key": "a", "Value": "1"}]},
        {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "n"}, {"Key": "a", "Value": "1"}]},
    ],
    "SecurityGroupIds": ["sg-2", "sg-1"],
    "KeyName": "c-ng",
    "MetadataOptions": {
        "State": "applied", "HttpTokens": "required", "HttpPutResponseHopLimit": 2, "HttpEndpoint": "enabled",
        "HttpProtocolIpv6": "disabled", "InstanceMetadataTags": "disabled",
    },
    "BlockDeviceMappings": [{"Ebs": {"VolumeType": "gp3", "VolumeSize": 30}, "DeviceName": "/dev/xvda"}],
}  # fmt: skip


def changed(**keys):
    data = dict(WANT)
    data.update(keys)
    return data


def test_the_same_data_as_aws_answers_it_is_the_same():
    assert lt.same_data(HAVE, WANT)
    assert lt.data_changes(HAVE, WANT) == []


def test_user_data_is_compared_decoded():
    wrapped = base64.encodebytes(base64.b64decode(WANT["UserData"])).decode()  # line-wrapped base64, same text
    assert wrapped != WANT["UserData"]
    assert lt.same_data(dict(HAVE, UserData=wrapped), WANT)


def test_a_default_asked_for_otherwise_is_a_change():
    want = changed(MetadataOptions={"HttpTokens": "required", "HttpPutResponseHopLimit": 2, "HttpEndpoint": "disabled"})
    assert lt.data_changes(HAVE, want) == ["http_endpoint: enabled -> disabled"]


def test_a_key_left_out_is_a_change():
    want = {k: v for k, v in WANT.items() if k != "KeyName"}
    assert lt.data_changes(HAVE, want) == ["key_name: c-ng -> -"]


@pytest.mark.parametrize(
    "keys, expected",
    [
        (dict(BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 40, "VolumeType": "gp3"}}]),
         ["volume_size: 30 -> 40"]),
        (dict(UserData=b64("[settings.kubernetes]\nmax-pods = 40\n")), ["user_data: max-pods = 30 -> 40"]),
        (dict(SecurityGroupIds=["sg-1", "sg-3", "sg-2"]), ["security_group_ids: sg-1,sg-2 -> sg-1,sg-2,sg-3"]),
        (dict(MetadataOptions={"HttpTokens": "optional", "HttpPutResponseHopLimit": 1}),
         ["http_put_response_hop_limit: 2 -> 1", "http_tokens: required -> optional"]),
        (dict(TagSpecifications=[
            {"ResourceType": t, "Tags": [{"Key": "a", "Value": "2"}, {"Key": "Name", "Value": "n"}]}
            for t in ("instance", "volume")]), ["instance/volume tag a: 1 -> 2"]),
        (dict(InstanceType="m5.large"), ["instance_type: - -> m5.large"]),
    ],
)  # fmt: skip
def test_changes_in_words(keys, expected):
    assert lt.data_changes(HAVE, changed(**keys)) == expected


def test_user_data_added_and_removed():
    without = {k: v for k, v in WANT.items() if k != "UserData"}
    assert lt.data_changes(without, WANT) == ["user_data: set"]
    assert lt.data_changes(HAVE, without) == ["user_data: removed"]


def test_display_shows_the_user_data_decoded_line_by_line_in_a_stable_order():
    shown = lt.display(HAVE, want=WANT)
    assert shown == lt.display(WANT)
    assert shown["UserData"] == ["[settings.kubernetes]", "max-pods = 30"]
    assert shown["SecurityGroupIds"] == ["sg-1", "sg-2"]
    assert shown["TagSpecifications"] == {"instance": {"Name": "n", "a": "1"}, "volume": {"Name": "n", "a": "1"}}
    assert list(shown) == sorted(shown)
    assert lt.display({}) == {}


def test_check_data_fixes_jinja_strings_and_names_wrong_fields():
    data = lt.check_data(
        {"MetadataOptions": {"HttpPutResponseHopLimit": "2"}, "DisableApiStop": "true", "KeyName": None}
    )
    assert data == {"MetadataOptions": {"HttpPutResponseHopLimit": 2}, "DisableApiStop": True}
    with pytest.raises(EksError, match="unknown key.s. Ebs"):
        lt.check_data({"Ebs": {}})
    with pytest.raises(EksError, match=r"launch_template_data.BlockDeviceMappings\[0\].Ebs: \"Size\""):
        lt.check_data({"BlockDeviceMappings": [{"Ebs": {"Size": 1}}]})
    with pytest.raises(EksError, match="UserData must be base64"):
        lt.check_data({"UserData": "max-pods = 30"})
    with pytest.raises(EksError, match="must be a dict"):
        lt.check_data(["x"])


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(name="ab", state="absent"), "name must be 3 to 128"),
        (dict(name="a b c", state="absent"), "name must be 3 to 128"),
        (dict(name="abc", state="absent", keep_versions=-1), "keep_versions must be 0 or more"),
        (dict(name="abc", state="present"), "launch_template_data is required"),
    ],
)
def test_validate(params, message):
    with pytest.raises(EksError, match=message):
        lt.validate(params)


def test_the_client_token_follows_the_name_the_base_version_and_the_data():
    token = lt.version_token("t", 1, WANT)
    assert token == lt.version_token("t", 1, dict(reversed(list(WANT.items()))))
    assert len({token, lt.version_token("t", 2, WANT), lt.version_token("u", 1, WANT),
                lt.version_token("t", 1, changed(KeyName="x"))}) == 4  # fmt: skip
    assert len(token) <= 64


@pytest.mark.parametrize(
    "numbers, default, keep, expected",
    [
        ([1, 2, 3, 4, 5, 6, 7], 7, 5, [1]),
        ([1, 2, 3], 3, 5, []),
        ([1, 2, 3, 4], 2, 1, [1, 3]),  # the default is kept whatever its age, then the newest others
        ([3, 5, 9], 9, 0, [3, 5]),
    ],
)
def test_versions_to_delete(numbers, default, keep, expected):
    assert lt.versions_to_delete(numbers, default, keep) == expected


TEMPLATE = {"LaunchTemplateId": "lt-1", "LatestVersionNumber": 3, "DefaultVersionNumber": 3, "Tags": [
    {"Key": "owner", "Value": "c"}]}  # fmt: skip


def test_plan_create():
    step = lt.compare(None, {}, [], WANT, {"owner": "c"}, True, 5)
    assert step == {"create": True, "new_version": True, "version": 1, "set_default": False,
                    "tags": ({"owner": "c"}, []), "delete": [], "changes": []}  # fmt: skip


def test_plan_nothing_to_do():
    step = lt.compare(TEMPLATE, HAVE, [1, 2, 3], WANT, {"owner": "c"}, True, 5)
    assert not step["new_version"] and not step["set_default"] and step["delete"] == []
    assert step["tags"] == ({}, []) and step["version"] == 3


def test_plan_tags_only():
    step = lt.compare(TEMPLATE, HAVE, [1, 2, 3], WANT, {"team": "x"}, True, 5)
    assert not step["new_version"] and step["tags"] == ({"team": "x"}, ["owner"])
    assert lt.compare(TEMPLATE, HAVE, [1, 2, 3], WANT, {"team": "x"}, False, 5)["tags"] == ({"team": "x"}, [])
    assert lt.compare(TEMPLATE, HAVE, [1, 2, 3], WANT, None, True, 5)["tags"] == ({}, [])


def test_plan_new_version_prunes_the_oldest():
    step = lt.compare(TEMPLATE, HAVE, [1, 2, 3], changed(KeyName="other"), None, True, 2)
    assert step["new_version"] and step["version"] == 4 and step["set_default"]
    assert step["delete"] == [1] and step["changes"] == ["key_name: c-ng -> other"]
    records = lt.plan("c-ng", TEMPLATE, step, changed(KeyName="other"), "d")
    assert [(r["action"], r["call"]) for r in records] == [
        ("create_version", "create_launch_template_version"),
        ("set_default_version", "modify_launch_template"),
        ("delete_versions", "delete_launch_template_versions"),
    ]
    assert records[0]["why"] == "key_name: c-ng -> other" and records[0]["params"]["LaunchTemplateId"] == "lt-1"
    assert records[0]["params"]["ClientToken"] == lt.version_token("c-ng", 3, changed(KeyName="other"))
    assert records[1]["params"] == {"LaunchTemplateId": "lt-1", "DefaultVersion": "4"}
    assert records[2]["params"] == {"LaunchTemplateId": "lt-1", "Versions": ["1"]}


def test_plan_records_of_a_create_and_of_tags():
    created = lt.plan("c-ng", None, lt.compare(None, {}, [], WANT, {"owner": "c"}, True, 5), WANT)
    assert [(r["action"], r["call"]) for r in created] == [("create", "create_launch_template"), ("tag", "create_tags")]
    assert created[0]["params"]["LaunchTemplateData"] == WANT
    tags = lt.plan("c-ng", TEMPLATE, lt.compare(TEMPLATE, HAVE, [1, 2, 3], WANT, {"team": "x"}, True, 5), WANT)
    assert [(r["action"], r["params"]) for r in tags] == [
        ("untag", {"Resources": ["lt-1"], "Tags": [{"Key": "owner"}]}),
        ("tag", {"Resources": ["lt-1"], "Tags": [{"Key": "team", "Value": "x"}]}),
    ]
    assert lt.plan("c-ng", TEMPLATE, lt.compare(TEMPLATE, HAVE, [1, 2, 3], WANT, {"owner": "c"}, True, 5), WANT) == []


def test_plan_latest_not_default_is_made_the_default():
    template = dict(TEMPLATE, DefaultVersionNumber=2)
    step = lt.compare(template, HAVE, [1, 2, 3], WANT, None, True, 5)
    assert not step["new_version"] and step["set_default"] and step["version"] == 3
