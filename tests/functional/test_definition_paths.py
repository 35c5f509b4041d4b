"""The files a user names resolve against the directory ansible-playbook runs in (~ expanded), from the checkout
and from the installed collection: the documented eksctl command, run as written, reads the ClusterConfig."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SEED = ROOT / "examples" / "seed-myeks.eksctl.yaml"
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKs1sRyq0yVq0hQ3v5q0u1M3m0Qe8yQm8Vv3f9Jm8y0a test\n"
# The seed as it is asks for Kubernetes 1.25, which EKS no longer offers: the definition stage read the file,
# converted it and checked it against DescribeClusterVersions, then stopped before any change.
REFUSED = "metadata.version: EKS does not offer Kubernetes 1.25; it offers 1.28"


@pytest.fixture
def home(tmp_path):
    """A home directory with the seed's SSH public key (~/.ssh/id_rsa.pub)."""
    path = tmp_path / "home"
    (path / ".ssh").mkdir(parents=True)
    (path / ".ssh" / "id_rsa.pub").write_text(KEY)
    return path


def ansible_playbook(local_aws, home, cwd, *args):
    env = dict(
        os.environ,
        HOME=str(home),
        AWS_ENDPOINT_URL=local_aws.url,
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        ANSIBLE_DEPRECATION_WARNINGS="false",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_PIPELINING="true",
    )
    # PWD as a shell would leave it when started elsewhere: the path must come from the process's directory.
    env["PWD"] = "/"
    result = subprocess.run(
        [str(BIN / "ansible-playbook"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return result, " ".join((result.stdout + result.stderr).split())


@pytest.mark.parametrize(
    "where, command",
    [
        # docs/eksctl-migration.md, from the repository root, exactly as written.
        ("root", ["site.yml", "-e", "eksctl_config_file=examples/seed-myeks.eksctl.yaml"]),
        # From another directory, a path relative to it.
        ("elsewhere", [str(ROOT / "site.yml"), "-e", "eksctl_config_file=configs/cluster.yaml", "--check"]),
        # The installed collection's playbook, the file under ~.
        ("elsewhere", ["aews.eks.site", "-e", "eksctl_config_file=~/cluster.yaml", "--check"]),
    ],
)
def test_documented_eksctl_command_reads_the_file_where_the_user_is(local_aws, tmp_path, home, where, command):
    elsewhere = tmp_path / "work"
    (elsewhere / "configs").mkdir(parents=True)
    shutil.copy(SEED, elsewhere / "configs" / "cluster.yaml")
    shutil.copy(SEED, home / "cluster.yaml")
    local_aws.clear_requests()
    result, output = ansible_playbook(local_aws, home, ROOT if where == "root" else elsewhere, *command)
    assert result.returncode != 0
    assert "Unable to access" not in output and "could not locate file" not in output.lower()
    assert REFUSED in output
    assert "set metadata.version to one of them" in output
    assert local_aws.requests(mutating=True) == []


def test_missing_eksctl_file_is_named_with_where_it_was_looked_for(local_aws, tmp_path, home):
    result, output = ansible_playbook(
        local_aws, home, tmp_path, str(ROOT / "site.yml"), "-e", "eksctl_config_file=nope.yaml"
    )
    assert result.returncode != 0
    assert f"eksctl_config_file: no file {tmp_path / 'nope.yaml'}" in output
    assert local_aws.requests() == []
