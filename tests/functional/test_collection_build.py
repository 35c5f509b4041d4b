# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection as users get it: built with ansible-galaxy, installed elsewhere, used from another directory."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
from pathlib import Path

import boto3
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

# Development-only content that must not be in the tarball (paths relative to the collection root).
DEV_ONLY = (
    ".ci",
    ".venv",
    ".venv312",
    ".yamllint",
    ".ansible-lint",
    ".gitignore",
    "Makefile",
    "hack",
    "requirements-dev.txt",
    "pyproject.toml",
    "ansible.cfg",
    "collections",
    "build",
    "context",
    "execution-environment.yml",
    "tests/local_aws",
    "tests/local_aws_tests",
    "tests/unit",
    "tests/functional",
    "tests/output",
    "tests/conftest.py",
    "tests/module_runner.py",
)


def runtime_modules():
    """The modules of the eks action group in meta/runtime.yml."""
    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())
    return sorted(entry for entry in runtime["action_groups"]["eks"] if isinstance(entry, str))


def run(cmd, env, cwd):
    result = subprocess.run(
        [str(c) for c in cmd], env=env, cwd=cwd, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, f"{cmd} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result.stdout


class Installed:
    def __init__(self, work, tarball, collections, env):
        self.work = work
        self.tarball = tarball
        self.collections = collections
        self.env = env
        with tarfile.open(tarball) as archive:
            self.members = archive.getnames()
            self.manifest = json.load(archive.extractfile("MANIFEST.json"))


@pytest.fixture(scope="module", name="installed")
def installed_fixture(tmp_path_factory):
    work = tmp_path_factory.mktemp("collection")
    collections = work / "collections"
    config = work / "ansible.cfg"
    config.write_text(f"[defaults]\ncollections_path = {collections}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update(
        ANSIBLE_CONFIG=str(config),
        ANSIBLE_HOME=str(work / "ansible-home"),
        ANSIBLE_NOCOLOR="1",
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
    )
    run([BIN / "ansible-galaxy", "collection", "build", "--output-path", work / "dist", ROOT], env, work)
    (tarball,) = (work / "dist").glob("aews-eks-*.tar.gz")
    # amazon.aws is not fetched (no network): the one installed with ansible in this Python environment serves.
    run([BIN / "ansible-galaxy", "collection", "install", "--no-deps", "-p", collections, tarball], env, work)
    return Installed(work, tarball, collections, env)


def test_tarball_has_no_development_files(installed):
    leaked = sorted(name for name in installed.members for dev in DEV_ONLY if name == dev or name.startswith(dev + "/"))
    assert leaked == []
    assert not [name for name in installed.members if "__pycache__" in name or name.endswith(".pyc")]


def test_tarball_has_the_collection(installed):
    members = set(installed.members)
    assert {"MANIFEST.json", "FILES.json", "README.md", "meta/runtime.yml"} <= members
    assert "plugins/module_utils/eks.py" in members
    assert "plugins/doc_fragments/wait.py" in members
    for module in runtime_modules():
        assert f"plugins/modules/{module}.py" in members
    info = installed.manifest["collection_info"]
    assert (info["namespace"], info["name"]) == ("aews", "eks")
    assert "amazon.aws" in info["dependencies"]


def test_every_module_is_in_the_action_group(installed):
    shipped = sorted(
        Path(name).stem
        for name in installed.members
        if name.startswith("plugins/modules/") and name.endswith(".py") and not name.endswith("__init__.py")
    )
    assert shipped == runtime_modules()


def test_installed_where_asked(installed):
    root = installed.collections / "ansible_collections" / "aews" / "eks"
    assert (root / "MANIFEST.json").is_file()
    assert not (root / "tests" / "unit").exists()
    listing = run(
        [BIN / "ansible-galaxy", "collection", "list", "aews.eks", "--format", "json"], installed.env, installed.work
    )
    assert list(json.loads(listing)) == [str(installed.collections / "ansible_collections")]


def test_ansible_doc_of_every_module(installed):
    modules = [f"aews.eks.{name}" for name in runtime_modules()]
    assert modules, "meta/runtime.yml lists no module"
    docs = json.loads(run([BIN / "ansible-doc", "--json", "-t", "module", *modules], installed.env, installed.work))
    assert sorted(docs) == sorted(modules)
    for name, doc in docs.items():
        assert doc["doc"]["filename"].startswith(str(installed.collections)), name
        assert doc["doc"]["short_description"], name
        assert doc["examples"], name
        assert "return" in doc, name
    # The shared fragments resolve: every module that waits documents wait_timeout from aews.eks.wait.
    waiting = [name for name, doc in docs.items() if "wait" in doc["doc"].get("options", {})]
    for name in waiting:
        assert "wait_timeout" in docs[name]["doc"]["options"], name


def test_info_module_runs_from_the_installed_collection(installed, local_aws, cluster_role, vpc_subnets):
    boto3.client("eks").create_cluster(
        name="built",
        roleArn=cluster_role,
        resourcesVpcConfig={"subnetIds": vpc_subnets["subnet_ids"][:2]},
        tags={"CamelCaseTag": "kept"},
    )
    env = dict(installed.env, **{k: v for k, v in os.environ.items() if k.startswith("AWS_")})
    env.update(
        ANSIBLE_LOAD_CALLBACK_PLUGINS="1", ANSIBLE_STDOUT_CALLBACK="minimal", ANSIBLE_CALLBACK_RESULT_FORMAT="json"
    )
    out = run(
        [
            BIN / "ansible",
            "localhost",
            "-m",
            "aews.eks.eks_cluster_info",
            "-a",
            "name=built",
            "-e",
            f"ansible_python_interpreter={sys.executable}",
        ],
        env,
        installed.work,
    )
    assert "localhost | SUCCESS =>" in out, out
    result = json.loads(out.split("=>", 1)[1])
    assert result["changed"] is False
    (cluster,) = result["clusters"]
    assert cluster["name"] == "built"
    assert cluster["tags"] == {"CamelCaseTag": "kept"}


# ---------------------------------------------------------------- execution environment (ansible-builder)
# amazon.aws as the ansible package installs it in this Python environment (no Galaxy access here).
AMAZON_AWS = Path(sysconfig.get_paths()["purelib"]) / "ansible_collections" / "amazon" / "aws"


def requirement_lines(path):
    """The requirement lines of a pip requirements file, comments and blank lines left out."""
    return [line.split("#", 1)[0].strip() for line in path.read_text().splitlines() if line.split("#", 1)[0].strip()]


@pytest.fixture(scope="module", name="ee_context")
def ee_context_fixture(installed, tmp_path_factory):
    """`ansible-builder create` on execution-environment.yml, with the built tarball where the file expects it."""
    work = tmp_path_factory.mktemp("ee")
    definition = yaml.safe_load((ROOT / "execution-environment.yml").read_text())
    (work / "execution-environment.yml").write_text((ROOT / "execution-environment.yml").read_text())
    for entry in definition["additional_build_files"]:
        target = work / entry["src"]
        target.parent.mkdir(parents=True, exist_ok=True)
        assert Path(entry["src"]).name == installed.tarball.name, "execution-environment.yml names another tarball"
        target.write_bytes(installed.tarball.read_bytes())
    env = dict(installed.env)
    env.pop("DOCKER_HOST", None)
    run(
        [BIN / "ansible-builder", "create", "-f", "execution-environment.yml", "-c", "context", "--output-filename",
         "Containerfile"],
        env,
        work,
    )  # fmt: skip
    return work / "context", definition


def test_ee_context_installs_the_built_tarball(installed, ee_context):
    context, definition = ee_context
    from ansible_builder.ee_schema import validate_schema

    validate_schema(definition)  # ansible-builder's own schema for version 3
    assert definition["version"] == 3
    galaxy = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    by_name = {c["name"]: c for c in galaxy["collections"]}
    tarball = f"collections/{installed.tarball.name}"
    assert by_name[tarball]["type"] == "file"
    # amazon.aws as the collection's own manifest asks for it.
    assert by_name["amazon.aws"]["version"] == installed.manifest["collection_info"]["dependencies"]["amazon.aws"]
    copied = context / "_build" / tarball
    assert copied.read_bytes() == installed.tarball.read_bytes()
    containerfile = (context / "Containerfile").read_text()
    assert "COPY _build /build" in containerfile and "WORKDIR /build" in containerfile
    assert 'ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS -r requirements.yml' in containerfile
    assert "introspect.py introspect" in containerfile


def test_ee_introspection_finds_the_collection_requirements_offline(installed, ee_context, tmp_path):
    """The galaxy stage done here (the tarball from the context, amazon.aws from this Python environment instead
    of Galaxy), then the builder stage's own introspection script on the result."""
    context, _definition = ee_context
    collections = tmp_path / "usr" / "share" / "ansible" / "collections"
    local = tmp_path / "local-requirements.yml"
    galaxy = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    local.write_text(yaml.safe_dump({"collections": [c for c in galaxy["collections"] if c.get("type") == "file"]}))
    run(
        [BIN / "ansible-galaxy", "collection", "install", "--no-deps", "--offline", "--force", "-r", local, "-p", collections],
        installed.env,
        context / "_build",  # the galaxy stage's WORKDIR: the file entries are relative to it
    )
    (collections / "ansible_collections" / "amazon").mkdir(parents=True)
    shutil.copytree(AMAZON_AWS, collections / "ansible_collections" / "amazon" / "aws", symlinks=True)
    out = tmp_path / "out"
    run(
        [sys.executable, context / "_build" / "scripts" / "introspect.py", "introspect", collections,
         "--write-pip", out / "requirements.txt", "--write-bindep", out / "bindep.txt"],
        installed.env,
        tmp_path,
    )  # fmt: skip
    from packaging.requirements import Requirement
    from packaging.version import Version

    pip_lines = (out / "requirements.txt").read_text().splitlines()
    ours = [line.split("  # from collection aews.eks")[0] for line in pip_lines if line.endswith("from collection aews.eks")]
    theirs = [line.split("  #")[0] for line in pip_lines if line.endswith("from collection amazon.aws")]
    # Our requirements, each once, as requirements.txt writes them (found through meta/execution-environment.yml).
    assert ours == requirement_lines(ROOT / "requirements.txt")
    assert len({Requirement(r).name.lower() for r in ours}) == len(ours)
    assert theirs, "amazon.aws's requirements were not found"
    # Compatible with amazon.aws's: for every package both name, our lowest allowed version satisfies theirs and
    # the version this repository is tested with satisfies both.
    from importlib.metadata import version as installed_version

    theirs_by_name = {Requirement(r).name.lower(): Requirement(r) for r in theirs}
    shared = 0
    for line in ours:
        req = Requirement(line)
        other = theirs_by_name.get(req.name.lower())
        if other is None:
            continue
        shared += 1
        lowest = min(Version(s.version) for s in req.specifier if s.operator in (">=", "=="))
        assert lowest in other.specifier, f"{line} allows {lowest}, which amazon.aws ({other}) refuses"
        tested = Version(installed_version(req.name))
        assert tested in req.specifier and tested in other.specifier, (line, str(other), tested)
    assert shared >= 2  # boto3 and botocore
    bindep = (out / "bindep.txt").read_text().splitlines()
    assert [b for b in bindep if b.endswith("from collection aews.eks")] == [
        f"{line}  # from collection aews.eks" for line in (ROOT / "bindep.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    installed_meta = collections / "ansible_collections" / "aews" / "eks" / "meta" / "execution-environment.yml"
    expected = {"python": "requirements.txt", "system": "bindep.txt"}
    assert yaml.safe_load(installed_meta.read_text())["dependencies"] == expected
