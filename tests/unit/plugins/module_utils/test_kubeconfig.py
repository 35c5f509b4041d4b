"""The kubeconfig entries of eks_kubeconfig (pure): what aws eks update-kubeconfig writes, merge and removal."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.aews.eks.plugins.module_utils._eks import kubeconfig
from ansible_collections.aews.eks.plugins.module_utils._eks.change import public

ARN = "arn:aws:eks:ap-northeast-2:111122223333:cluster/myeks"
OTHER = {
    "apiVersion": "v1",
    "kind": "Config",
    "clusters": [{"name": "kind-dev", "cluster": {"server": "https://127.0.0.1:6443"}}],
    "users": [{"name": "kind-dev", "user": {"token": "t"}}],
    "contexts": [{"name": "kind-dev", "context": {"cluster": "kind-dev", "user": "kind-dev"}}],
    "current-context": "kind-dev",
    "preferences": {},
}


def entries(**kwargs):
    return kubeconfig.entries("myeks", "ap-northeast-2", ARN, "https://x.eks.amazonaws.com", "Q0E=", **kwargs)


@pytest.mark.parametrize(
    "kwargs, args, env, names",
    [
        (
            {},
            ["--region", "ap-northeast-2", "eks", "get-token", "--cluster-name", "myeks", "--output", "json"],
            None,
            (ARN, ARN, ARN),
        ),
        (
            {
                "role_arn": "arn:aws:iam::111122223333:role/admin",
                "profile": "dev",
                "context_name": "myeks",
                "user_alias": "me",
            },
            [
                "--region",
                "ap-northeast-2",
                "eks",
                "get-token",
                "--cluster-name",
                "myeks",
                "--output",
                "json",
                "--role-arn",
                "arn:aws:iam::111122223333:role/admin",
            ],
            [{"name": "AWS_PROFILE", "value": "dev"}],
            (ARN, "me", "myeks"),
        ),
    ],
)
def test_entries_as_the_aws_cli_writes_them(kwargs, args, env, names):
    cluster, user, context = entries(**kwargs)
    assert cluster == {
        "cluster": {"certificate-authority-data": "Q0E=", "server": "https://x.eks.amazonaws.com"},
        "name": names[0],
    }
    expected_exec = {"apiVersion": "client.authentication.k8s.io/v1beta1", "args": args, "command": "aws"}
    if env:
        expected_exec["env"] = env
    assert user == {"name": names[1], "user": {"exec": expected_exec}}
    assert context == {"context": {"cluster": names[0], "user": names[1]}, "name": names[2]}


@pytest.mark.parametrize(
    "region, partition",
    [("ap-northeast-2", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov")],
)
def test_cluster_arn(region, partition):
    assert kubeconfig.cluster_arn(region, "1", "c") == f"arn:{partition}:eks:{region}:1:cluster/c"


def test_merge_into_nothing_makes_a_whole_kubeconfig():
    new = entries()
    merged = kubeconfig.merge(None, new)
    assert merged == {
        "apiVersion": "v1",
        "clusters": [new[0]],
        "contexts": [new[2]],
        "current-context": ARN,
        "kind": "Config",
        "preferences": {},
        "users": [new[1]],
    }


def test_merge_keeps_other_entries_and_replaces_ours():
    first = kubeconfig.merge(OTHER, entries(context_name="myeks"))
    assert [c["name"] for c in first["clusters"]] == ["kind-dev", ARN]
    assert [c["name"] for c in first["contexts"]] == ["kind-dev", "myeks"]
    assert first["current-context"] == "myeks"
    assert OTHER["current-context"] == "kind-dev"  # the input is not modified
    # Same input again: no change (the module then writes nothing).
    assert kubeconfig.merge(first, entries(context_name="myeks")) == first
    # A new endpoint replaces the cluster entry in place.
    moved = kubeconfig.merge(
        first, kubeconfig.entries("myeks", "ap-northeast-2", ARN, "https://y", "Q0E=", context_name="myeks")
    )
    assert [c["name"] for c in moved["clusters"]] == ["kind-dev", ARN]
    assert moved["clusters"][1]["cluster"]["server"] == "https://y"


def test_merge_without_setting_the_current_context():
    merged = kubeconfig.merge(OTHER, entries(), set_current_context=False)
    assert merged["current-context"] == "kind-dev"


def test_merge_fills_null_sections():
    document = {"apiVersion": "v1", "kind": "Config", "clusters": None, "users": None, "contexts": None}
    merged = kubeconfig.merge(document, entries())
    assert len(merged["clusters"]) == len(merged["users"]) == len(merged["contexts"]) == 1


@pytest.mark.parametrize(
    "document, expected",
    [
        # Our entries only; the other cluster stays and the current context is cleared.
        (kubeconfig.merge(OTHER, entries()), dict(OTHER, **{"current-context": ""})),
        # Not there: no change.
        (copy.deepcopy(OTHER), OTHER),
    ],
)
def test_remove(document, expected):
    assert kubeconfig.remove(document, ARN, ARN, ARN) == expected


def test_remove_keeps_a_cluster_and_user_another_context_uses():
    document = kubeconfig.merge(OTHER, entries(context_name="a"))
    document = kubeconfig.merge(document, entries(context_name="b"))
    removed = kubeconfig.remove(document, ARN, ARN, "a")
    assert [c["name"] for c in removed["contexts"]] == ["kind-dev", "b"]
    assert [c["name"] for c in removed["clusters"]] == ["kind-dev", ARN]
    assert [u["name"] for u in removed["users"]] == ["kind-dev", ARN]
    assert removed["current-context"] == "b"


def test_dump_parse_round_trip_keeps_long_ca_data_on_one_line():
    long_ca = "A" * 3000
    document = kubeconfig.merge(None, kubeconfig.entries("c", "us-east-1", ARN, "https://x", long_ca))
    text = kubeconfig.dump(document)
    assert long_ca in text
    assert kubeconfig.parse(text, "f") == document


@pytest.mark.parametrize("text", ["- a\n", "a: [\n"])
def test_parse_rejects_what_is_not_a_kubeconfig(text):
    from ansible_collections.aews.eks.plugins.module_utils.eks import EksError

    with pytest.raises(EksError, match="f is not a valid kubeconfig"):
        kubeconfig.parse(text, "f")


# ---------------------------------------------------------------- plan (the one change record of the file)
def test_plan_create_names_every_entry_and_carries_the_content():
    after = kubeconfig.merge(None, entries())
    changes = kubeconfig.plan("/k/config", None, None, after)
    assert [public(c) for c in changes] == [
        {
            "resource": "kubeconfig /k/config",
            "action": "create",
            "why": f"no file: clusters {ARN}, users {ARN}, contexts {ARN}, current-context",
            "call": "write",
            "params": {"path": "/k/config"},
        }
    ]
    assert kubeconfig.parse(changes[0]["content"], "/k/config") == after


def test_plan_update_names_what_differs_and_nothing_when_equal():
    first = kubeconfig.merge(OTHER, entries(context_name="myeks"))
    text = kubeconfig.dump(first)
    assert kubeconfig.plan("/k/config", text, first, kubeconfig.merge(first, entries(context_name="myeks"))) == []
    moved = kubeconfig.merge(
        first, kubeconfig.entries("myeks", "ap-northeast-2", ARN, "https://y", "Q0E=", context_name="myeks")
    )
    changes = kubeconfig.plan("/k/config", text, first, moved)
    assert [(c["action"], c["why"]) for c in changes] == [("update", f"clusters {ARN}")]
    removed = kubeconfig.remove(first, ARN, ARN, "myeks")
    changes = kubeconfig.plan("/k/config", text, first, removed)
    assert [(c["action"], c["why"]) for c in changes] == [
        ("update", f"clusters {ARN}, users {ARN}, contexts myeks, current-context")
    ]


def test_plan_an_empty_file_is_written():
    changes = kubeconfig.plan("/k/config", "", None, kubeconfig.merge(None, entries()))
    assert [c["action"] for c in changes] == ["update"]
    assert kubeconfig.plan("/k/config", "", None, None) == []
