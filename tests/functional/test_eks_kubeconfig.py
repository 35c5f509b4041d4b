"""eks_kubeconfig against the local AWS endpoint; the result loaded with the kubernetes Python client."""

from __future__ import annotations

import os
import stat

import boto3
import pytest
import yaml
from kubernetes import client as k8s_client
from kubernetes import config as k8s_config
from module_runner import run_module

CLUSTER = "myeks"
REGION = "ap-northeast-2"
OTHER = {
    "apiVersion": "v1",
    "kind": "Config",
    "clusters": [
        {"name": "kind-dev", "cluster": {"server": "https://127.0.0.1:6443", "insecure-skip-tls-verify": True}}
    ],
    "users": [{"name": "kind-dev", "user": {"token": "kind-token"}}],
    "contexts": [{"name": "kind-dev", "context": {"cluster": "kind-dev", "user": "kind-dev"}}],
    "current-context": "kind-dev",
    "preferences": {},
}
# Stands in for the AWS CLI: answers `aws eks get-token` with a token made of its arguments and AWS_PROFILE.
FAKE_AWS = """#!/bin/sh
args=$(printf '%s,' "$@")
printf '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"%s|%s"}}' \
  "$args" "${AWS_PROFILE:-}"
"""


@pytest.fixture
def cluster(local_aws, cluster_role, vpc_subnets):
    local_aws.post("/_aews/config", {"delays": {"cluster": 0}})
    eks = boto3.client("eks")
    eks.create_cluster(
        name=CLUSTER, roleArn=cluster_role, resourcesVpcConfig={"subnetIds": vpc_subnets["subnet_ids"][:2]}
    )
    described = eks.describe_cluster(name=CLUSTER)["cluster"]
    assert described["status"] == "ACTIVE" and described["endpoint"]
    return described


@pytest.fixture
def fake_aws_cli(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "aws"
    script.write_text(FAKE_AWS)
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return script


def run(params, check=False, diff=False, **kwargs):
    return run_module("eks_kubeconfig", dict(params), check_mode=check, diff=diff, **kwargs)


def load(path, context):
    """The kubernetes client's configuration for one context of the file (runs the exec plugin)."""
    configuration = k8s_client.Configuration()
    k8s_config.load_kube_config(config_file=str(path), context=context, client_configuration=configuration)
    return configuration


def four_steps(aws_calls, params):
    path = params["path"]
    original = open(path).read() if os.path.exists(path) else None
    aws_calls.clear()
    checked = run(params, check=True, diff=True)
    assert checked["changed"] is True
    assert aws_calls.mutating() == []
    # Check mode writes nothing.
    assert (open(path).read() if os.path.exists(path) else None) == original
    applied = run(params, diff=True)
    assert applied["changed"] is True
    assert applied["diff"]["after"] == checked["diff"]["after"]
    path = applied["kubeconfig"]["path"]
    before = os.stat(path)
    again = run(params, check=True)
    assert again["changed"] is False
    last = run(params, diff=True)
    assert last["changed"] is False
    assert last["diff"]["before"] == last["diff"]["after"]
    after = os.stat(path)
    # Not rewritten: the same inode, the same modification time.
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    return checked, applied


def test_new_file_loads_with_the_kubernetes_client(cluster, tmp_path, fake_aws_cli, aws_calls):
    path = tmp_path / "kube" / "config"
    params = {"cluster_name": CLUSTER, "region": REGION, "path": str(path)}
    checked, applied = four_steps(aws_calls, params)
    assert sorted(p.name for p in path.parent.iterdir()) == ["config"]  # no temporary file left behind
    assert checked["diff"]["before"] == ""
    assert applied["kubeconfig"] == {
        "path": str(path),
        "state": "present",
        "cluster": cluster["arn"],
        "user": cluster["arn"],
        "context": cluster["arn"],
        "server": cluster["endpoint"],
        "current_context": cluster["arn"],
    }
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700

    document = yaml.safe_load(path.read_text())
    assert document["current-context"] == cluster["arn"]
    assert document["clusters"] == [
        {
            "cluster": {
                "certificate-authority-data": cluster["certificateAuthority"]["data"],
                "server": cluster["endpoint"],
            },
            "name": cluster["arn"],
        }
    ]
    assert document["users"] == [
        {
            "name": cluster["arn"],
            "user": {
                "exec": {
                    "apiVersion": "client.authentication.k8s.io/v1beta1",
                    "args": ["--region", REGION, "eks", "get-token", "--cluster-name", CLUSTER, "--output", "json"],
                    "command": "aws",
                }
            },
        }
    ]

    configuration = load(path, cluster["arn"])
    assert configuration.host == cluster["endpoint"]
    assert configuration.api_key["BearerToken"] == (
        f"Bearer --region,{REGION},eks,get-token,--cluster-name,{CLUSTER},--output,json,|"
    )
    assert configuration.ssl_ca_cert and os.path.exists(configuration.ssl_ca_cert)


def test_merge_into_existing_file_keeps_other_entries(cluster, tmp_path, fake_aws_cli, aws_calls):
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump(OTHER))
    path.chmod(0o640)
    params = {
        "cluster_name": CLUSTER,
        "region": REGION,
        "path": str(path),
        "context_name": "myeks",
        "user_alias": "myeks-admin",
        "role_arn": "arn:aws:iam::123456789012:role/eks-admin",
    }
    four_steps(aws_calls, params)
    document = yaml.safe_load(path.read_text())
    assert [c["name"] for c in document["clusters"]] == ["kind-dev", cluster["arn"]]
    assert [u["name"] for u in document["users"]] == ["kind-dev", "myeks-admin"]
    assert [c["name"] for c in document["contexts"]] == ["kind-dev", "myeks"]
    assert document["clusters"][0] == OTHER["clusters"][0]
    assert document["users"][0] == OTHER["users"][0]
    assert document["current-context"] == "myeks"
    # An existing file keeps its mode.
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640

    configuration = load(path, "myeks")
    assert configuration.host == cluster["endpoint"]
    assert configuration.api_key["BearerToken"] == (
        f"Bearer --region,{REGION},eks,get-token,--cluster-name,{CLUSTER},--output,json,"
        "--role-arn,arn:aws:iam::123456789012:role/eks-admin,|"
    )
    other = load(path, "kind-dev")
    assert other.host == "https://127.0.0.1:6443"
    assert other.api_key["BearerToken"] == "Bearer kind-token"

    # set_current_context=false leaves the current context alone: already ours here, so no change,
    assert run(dict(params, set_current_context=False))["changed"] is False
    # and another cluster added that way does not take it.
    added = run(
        {
            "cluster_name": "x",
            "region": REGION,
            "path": str(path),
            "endpoint": "https://x",
            "certificate_authority_data": "Q0E=",
            "cluster_arn": "arn:aws:eks:ap-northeast-2:123456789012:cluster/x",
            "set_current_context": False,
        }
    )
    assert added["changed"] is True
    assert yaml.safe_load(path.read_text())["current-context"] == "myeks"


def test_profile_goes_into_the_exec_environment(local_aws, tmp_path, fake_aws_cli, aws_calls, monkeypatch):
    # Endpoint, CA and ARN given: no AWS call at all, so the profile need not exist here.
    path = tmp_path / "config"
    params = {
        "cluster_name": CLUSTER,
        "region": REGION,
        "path": str(path),
        "profile": "dev",
        "endpoint": "https://example.gr7.ap-northeast-2.eks.amazonaws.com",
        "certificate_authority_data": "Q0E=",
        "cluster_arn": "arn:aws:eks:ap-northeast-2:123456789012:cluster/myeks",
    }
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    four_steps(aws_calls, params)
    assert aws_calls.calls == []
    user = yaml.safe_load(path.read_text())["users"][0]
    assert user["user"]["exec"]["env"] == [{"name": "AWS_PROFILE", "value": "dev"}]
    configuration = load(path, params["cluster_arn"])
    assert configuration.host == params["endpoint"]
    assert configuration.api_key["BearerToken"].endswith(",|dev")


def test_endpoint_given_without_arn_names_entries_after_the_callers_account(local_aws, tmp_path, aws_calls):
    path = tmp_path / "config"
    result = run(
        {
            "cluster_name": "c",
            "region": REGION,
            "path": str(path),
            "endpoint": "https://c",
            "certificate_authority_data": "Q0E=",
        }
    )
    account = boto3.client("sts").get_caller_identity()["Account"]
    assert result["kubeconfig"]["context"] == f"arn:aws:eks:{REGION}:{account}:cluster/c"
    assert ("eks", "DescribeCluster") not in aws_calls.calls


def test_absent_removes_only_our_entries(cluster, tmp_path, fake_aws_cli, aws_calls):
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump(OTHER))
    present = {"cluster_name": CLUSTER, "region": REGION, "path": str(path)}
    run(present)
    absent = dict(present, state="absent")
    aws_calls.clear()
    checked = run(absent, check=True, diff=True)
    assert checked["changed"] is True
    assert aws_calls.mutating() == []
    assert cluster["arn"] in checked["diff"]["before"] and cluster["arn"] not in checked["diff"]["after"]
    assert cluster["arn"] in path.read_text()  # check mode wrote nothing
    assert run(absent)["changed"] is True
    assert yaml.safe_load(path.read_text()) == dict(OTHER, **{"current-context": ""})
    assert run(absent, check=True)["changed"] is False
    assert run(absent)["changed"] is False
    load(path, "kind-dev")


def test_absent_without_a_file_changes_nothing(local_aws, tmp_path, aws_calls):
    path = tmp_path / "none"
    result = run({"cluster_name": CLUSTER, "region": REGION, "path": str(path), "state": "absent"})
    assert result["changed"] is False
    assert not path.exists()
    assert aws_calls.calls == []


@pytest.mark.parametrize(
    "params, message",
    [
        ({"cluster_name": "missing"}, "cluster missing was not found in ap-northeast-2"),
        (
            {"cluster_name": "c", "endpoint": "https://c"},
            "parameters are required together: endpoint, certificate_authority_data",
        ),
    ],
)
def test_errors(local_aws, tmp_path, params, message):
    result = run(dict(params, region=REGION, path=str(tmp_path / "config")), expect_failure=True)
    assert message in result["msg"]
    assert not (tmp_path / "config").exists()


def test_not_a_kubeconfig(local_aws, tmp_path):
    path = tmp_path / "config"
    path.write_text("- just\n- a list\n")
    result = run(
        {
            "cluster_name": "c",
            "region": REGION,
            "path": str(path),
            "endpoint": "https://c",
            "certificate_authority_data": "Q0E=",
            "cluster_arn": "arn:aws:eks:ap-northeast-2:1:cluster/c",
        },
        expect_failure=True,
    )
    assert "is not a valid kubeconfig" in result["msg"]
    assert path.read_text() == "- just\n- a list\n"
