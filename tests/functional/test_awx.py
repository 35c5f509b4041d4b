"""The collection run as AWX / Automation Controller runs it: ansible-runner on a private data dir laid out as AWX
lays it, the AWS credential as AWX's Amazon Web Services credential type injects it, and the job templates' surveys
filled as AWX fills them, against the local AWS endpoint."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import ansible_runner
import boto3
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SURVEYS = sorted((ROOT / "awx" / "surveys").glob("*.json"))
AMAZON_AWS = Path(sysconfig.get_paths()["purelib"]) / "ansible_collections" / "amazon" / "aws"

# ---------------------------------------------------------------- AWX's survey rules
# AWX's survey spec validation (awx/api/views JobTemplateSurveySpec._validate_spec_data) and launch-time answer
# validation (awx/main/models/mixins.py SurveyJobTemplateMixin._survey_element_validation), as published in
# AWX's sources and its job_template_survey_spec.md.
ALLOWED_TYPES = {
    "text": str, "textarea": str, "password": str, "multiplechoice": str, "multiselect": str,
    "integer": int, "float": float,
}  # fmt: skip


def spec_errors(survey):
    """What AWX's API answers when the survey spec is posted (empty: accepted)."""
    errors = []
    for field, kind in (("name", str), ("description", str), ("spec", list)):
        if not isinstance(survey.get(field), kind):
            errors.append(f"'{field}' missing or not a {kind.__name__}")
    if errors:
        return errors
    if not survey["spec"]:
        errors.append("'spec' doesn't contain any items")
    variables = set()
    for idx, item in enumerate(survey["spec"]):
        for field in ("type", "question_name", "variable", "required"):
            if field not in item:
                errors.append(f"'{field}' missing from survey question {idx}")
            elif not isinstance(item[field], bool if field == "required" else str):
                errors.append(f"'{field}' in survey question {idx} has the wrong type")
        if item.get("variable") in variables:
            errors.append(f"'variable' '{item['variable']}' duplicated in survey question {idx}")
        variables.add(item.get("variable"))
        qtype = item.get("type")
        if qtype not in ALLOWED_TYPES:
            errors.append(f"'{qtype}' in survey question {idx} is not an allowed question type")
            continue
        default = item.get("default", "")
        if default != "" and not isinstance(default, ALLOWED_TYPES[qtype]):
            errors.append(f"Default value {default!r} in survey question {idx} expected to be {qtype}")
        for key in ("min", "max"):
            if item.get(key) is not None and not isinstance(item[key], int):
                errors.append(f"The {key} limit in survey question {idx} expected to be integer")
        if qtype in ("multiplechoice", "multiselect"):
            if "choices" not in item:
                errors.append(f"Survey question {idx} of type {qtype} must specify choices")
                continue
            defaults = default.splitlines() if isinstance(default, str) else default
            if qtype == "multiplechoice" and len(defaults) > 1:
                errors.append("Multiple Choice (Single Select) can only have one default value")
            if any(d not in choices(item) for d in defaults):
                errors.append(f"Default choice of question {idx} must be answered from the choices listed")
    return errors


def choices(item):
    listed = item["choices"]
    return [c for c in listed.splitlines() if c.strip()] if isinstance(listed, str) else list(listed)


def answer_errors(item, data):
    """AWX's launch-time check of one survey question against the extra variables."""
    var, qtype = item["variable"], item["type"]
    if var not in data:
        return [f"'{var}' value missing"] if item["required"] else []
    value = data[var]
    if qtype in ("text", "textarea", "password"):
        if not isinstance(value, str):
            return [f"Value {value} for '{var}' expected to be a string"]
        if item.get("min") not in ("", None) and len(value) < int(item["min"]):
            return [f"'{var}' value {value} is too small"]
        if item.get("max") not in ("", None) and len(value) > int(item["max"]):
            return [f"'{var}' value {value} is too large"]
    elif qtype in ("integer", "float"):
        if type(value) not in ((int,) if qtype == "integer" else (int, float)):
            return [f"Value {value} for '{var}' expected to be a number"]
        if item.get("min") not in ("", None) and value < item["min"]:
            return [f"'{var}' value {value} is too small"]
        if item.get("max") not in ("", None) and value > item["max"]:
            return [f"'{var}' value {value} is too large"]
    elif qtype == "multiselect":
        if not isinstance(value, list):
            return [f"'{var}' value is expected to be a list"]
        return [f"Value {v} for '{var}' expected to be one of {choices(item)}" for v in value if v not in choices(item)]
    elif qtype == "multiplechoice" and value not in choices(item):
        return [f"Value {value} for '{var}' expected to be one of {choices(item)}"]
    return []


def fill(survey, answers, extra_vars=None):
    """The job's extra variables as AWX makes them at launch: the job template's extra variables, then each survey
    default that passes validation (as AWX's UI presents defaults, a multiselect default is its lines), then the
    answers; every question then validated. Raises naming each problem, as AWX refuses the launch."""
    data = dict(extra_vars or {})
    for item in survey["spec"]:
        default = item.get("default")
        if item["type"] == "multiselect" and isinstance(default, str):
            default = [d for d in default.splitlines() if d.strip()]
        if default is not None and not answer_errors(item, {item["variable"]: default}):
            data[item["variable"]] = default
    data.update(answers)
    errors = [e for item in survey["spec"] for e in answer_errors(item, data)]
    if errors:
        raise ValueError("; ".join(errors))
    return data


def load(name):
    return json.loads((ROOT / "awx" / "surveys" / f"{name}.json").read_text())


# ---------------------------------------------------------------- AWX's private data dir
class Awx:
    """A private data dir per job, laid out as AWX lays it, the project synced once (its collections installed)."""

    def __init__(self, tmp_path, local_aws):
        self.tmp_path = tmp_path
        self.local_aws = local_aws
        self.project = tmp_path / "project-src"
        # The project as an SCM checkout holds it: the repository's files, not what .gitignore leaves out
        # (symlinks kept, collections/ansible_collections/aews/eks among them).
        tracked = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT, capture_output=True, check=True,
        ).stdout.decode().split("\0")
        for name in filter(None, tracked):
            source = ROOT / name
            target = self.project / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_symlink():
                target.symlink_to(os.readlink(source))
            elif source.is_file():
                shutil.copy2(source, target)
        self.jobs = 0

    def sync_requirements(self, private_data_dir):
        """The project sync's collection install (collections/requirements.yml into requirements_collections).
        No Galaxy here: amazon.aws is put there as Galaxy would, then ansible-galaxy, offline, must find the
        requirements satisfied."""
        target = private_data_dir / "requirements_collections"
        (target / "ansible_collections" / "amazon").mkdir(parents=True)
        shutil.copytree(AMAZON_AWS, target / "ansible_collections" / "amazon" / "aws", symlinks=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
        result = subprocess.run(
            [str(BIN / "ansible-galaxy"), "collection", "install", "--offline", "-r",
             str(private_data_dir / "project" / "collections" / "requirements.yml"), "-p", str(target)],
            cwd=private_data_dir / "project", env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Nothing to do. All requested collections are already installed" in result.stdout, result.stdout

    def job(self, playbook, extra_vars, check=False, inventory=None, forks=None):
        """Run one job: a new private data dir, as AWX's RunJob writes it, then ansible-runner."""
        self.jobs += 1
        pdd = self.tmp_path / f"job-{self.jobs}"
        shutil.copytree(self.project, pdd / "project", symlinks=True)
        self.sync_requirements(pdd)
        (pdd / "inventory").mkdir()
        hosts = inventory or {
            "all": {"hosts": {"localhost": {"ansible_connection": "local",
                                            "ansible_python_interpreter": "{{ ansible_playbook_python }}"}}}
        }  # fmt: skip
        (pdd / "inventory" / "hosts").write_text(yaml.safe_dump(hosts))
        (pdd / "env").mkdir()
        awx_vars = {"awx_job_id": self.jobs, "awx_job_template_name": playbook, "tower_job_id": self.jobs}
        (pdd / "env" / "extravars").write_text(yaml.safe_dump({**extra_vars, **awx_vars}))
        collections_path = f"{pdd / 'requirements_collections'}:./collections:~/.ansible/collections:/usr/share/ansible/collections"
        (pdd / "env" / "envvars").write_text(
            yaml.safe_dump(
                {
                    # The Amazon Web Services credential type's injector (awx/main/models/credential/injectors.py).
                    "AWS_ACCESS_KEY_ID": "testing",
                    "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_SECURITY_TOKEN": "testing",
                    # Custom environment of the job template / the execution environment's settings.
                    "AWS_ENDPOINT_URL": self.local_aws.url,
                    "AEWS_EKS_WAIT_DELAY": "0.5",
                    # What AWX's RunJob.build_env sets.
                    "ANSIBLE_COLLECTIONS_PATH": collections_path,
                    "ANSIBLE_FORCE_COLOR": "False",
                    "ANSIBLE_HOST_KEY_CHECKING": "False",
                    "ANSIBLE_RETRY_FILES_ENABLED": "False",
                    "ANSIBLE_DEPRECATION_WARNINGS": "False",
                    "HOME": str(pdd),
                }
            )
        )
        (pdd / "env" / "settings").write_text(
            yaml.safe_dump({"job_timeout": 600, "idle_timeout": 600, "pexpect_timeout": 5, "suppress_ansible_output": True})
        )
        cmdline = ["-e", "aews_eks_poll_delay=1"]
        if check:
            cmdline.append("--check")
        if forks:
            cmdline += ["--forks", str(forks)]
        runner = ansible_runner.run(
            private_data_dir=str(pdd), playbook=playbook, inventory=str(pdd / "inventory" / "hosts"),
            ident="1", cmdline=" ".join(cmdline), quiet=True,
        )  # fmt: skip
        return Job(pdd, runner)


class Job:
    def __init__(self, pdd, runner):
        self.pdd = pdd
        self.runner = runner
        self.events = list(runner.events)
        artifacts = pdd / "artifacts" / "1"
        self.status = (artifacts / "status").read_text().strip()
        self.rc = int((artifacts / "rc").read_text().strip())
        self.stdout = (artifacts / "stdout").read_text()

    def of(self, *kinds):
        return [e for e in self.events if e["event"] in kinds]

    def facts(self, name):
        """The last value a set_fact gave the fact."""
        found = [e["event_data"]["res"]["ansible_facts"][name] for e in self.of("runner_on_ok")
                 if name in e["event_data"].get("res", {}).get("ansible_facts", {})]  # fmt: skip
        return found[-1] if found else None

    def output(self):
        return self.stdout[-4000:]


@pytest.fixture
def awx(tmp_path, local_aws, monkeypatch):
    # Only what AWX gives the job: no credential, region or Ansible setting from this process's environment.
    for key in list(os.environ):
        if key.startswith(("AWS_", "ANSIBLE_", "AEWS_")):
            monkeypatch.delenv(key)
    # The execution environment's ansible-playbook first on the PATH, as in AWX's execution environments.
    monkeypatch.setenv("PATH", f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    return Awx(tmp_path, local_aws)


def small_cluster(name, version="1.33"):
    return {
        "name": name,
        "region": "ap-northeast-2",
        "version": version,
        "vpc": {"cidr": "10.30.0.0/16", "availability_zones": ["ap-northeast-2a", "ap-northeast-2c"], "nat": "disabled"},
        "nodegroups": [{"name": "ng", "instance_types": ["t3.medium"], "min_size": 1, "desired_size": 1, "max_size": 1}],
        "addons": [{"name": "vpc-cni"}, {"name": "kube-proxy"}, {"name": "coredns"}],
    }


# ---------------------------------------------------------------- tests
@pytest.mark.parametrize("path", SURVEYS, ids=[p.stem for p in SURVEYS])
def test_survey_spec_is_what_awx_accepts(path):
    survey = json.loads(path.read_text())
    assert spec_errors(survey) == []
    # Every question has its description, and the required ones without a valid default are few and deliberate.
    assert all(item.get("question_description") for item in survey["spec"])


def test_awx_survey_rules_refuse_what_awx_refuses():
    """The checks above fail where AWX's API does (so they can fail at all)."""
    survey = load("create")
    broken = json.loads(json.dumps(survey))
    broken["spec"][0]["type"] = "dropdown"
    broken["spec"][1]["variable"] = broken["spec"][2]["variable"]
    del broken["spec"][4]["choices"]
    errors = spec_errors(broken)
    assert any("not an allowed question type" in e for e in errors)
    assert any("duplicated" in e for e in errors)
    assert any("must specify choices" in e for e in errors)
    with pytest.raises(ValueError, match="'node_min_size' value -1 is too small"):
        fill(survey, {"node_min_size": -1})
    with pytest.raises(ValueError, match="endpoint_access"):
        fill(survey, {"endpoint_access": "Internal"})
    with pytest.raises(ValueError, match="'confirm_cluster_name' value missing"):
        fill(load("teardown"), {})


def test_job_templates_name_existing_playbooks_and_surveys():
    play = yaml.safe_load((ROOT / "awx" / "configure.yml").read_text())[0]
    templates = play["vars"]["aews_awx_job_templates"]
    for template in templates:
        assert (ROOT / template["playbook"]).is_file(), template["playbook"]
        if template["survey"]:
            assert (ROOT / "awx" / "surveys" / f"{template['survey']}.json").is_file(), template["survey"]
    names = {t["name"] for t in templates}
    workflow = next(t for t in play["tasks"] if "awx.awx.workflow_job_template" in t)["awx.awx.workflow_job_template"]
    nodes = {n["identifier"]: n for n in workflow["workflow_nodes"]}
    # create -> add-ons -> upgrade -> approval -> teardown, one path.
    order, node = [], nodes["create"]
    while node:
        order.append(node["unified_job_template"])
        following = node.get("related", {}).get("success_nodes", [])
        node = nodes[following[0]["identifier"]] if following else None
    assert [u["type"] for u in order] == ["job_template"] * 3 + ["workflow_approval", "job_template"]
    assert [u["name"] for u in order if u["type"] == "job_template"] == [
        "EKS cluster", "EKS add-ons", "EKS upgrade", "EKS teardown"
    ]
    assert all(u["name"] in names for u in order if u["type"] == "job_template")
    # The workflow's survey answers every required question of its job templates' surveys (AWX passes the
    # workflow's extra variables to each node).
    workflow_vars = {q["variable"] for q in load("workflow")["spec"]}
    by_name = {t["name"]: t for t in templates}
    for unified in order:
        if unified["type"] == "job_template":
            survey = load(by_name[unified["name"]]["survey"])
            assert {q["variable"] for q in survey["spec"] if q["required"]} <= workflow_vars, unified["name"]
    result = subprocess.run(
        [str(BIN / "ansible-playbook"), "--syntax-check", *(str(p) for p in sorted((ROOT / "awx").glob("*.yml")))],
        cwd=ROOT, env=dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
                           ANSIBLE_COLLECTIONS_PATH=str(ROOT / "collections")),
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "access, expected",
    [
        ("Public", {"public_access": True, "private_access": False}),
        ("Public+Private", {"public_access": True, "private_access": True}),
        ("Private", {"public_access": False, "private_access": True}),
    ],
)  # fmt: skip
def test_survey_endpoint_access_maps_onto_the_definition(awx, access, expected):
    extra_vars = fill(load("create"), {"cluster_name": "mapped", "endpoint_access": access, "node_max_size": 3})
    job = awx.job("awx/survey_definition.yml", extra_vars)
    assert (job.status, job.rc) == ("successful", 0), job.output()
    definition = job.facts("aews_eks_cluster")
    assert definition["endpoint"] == expected
    assert definition["name"] == "mapped" and definition["region"] == "ap-northeast-2"
    assert definition["version"] == "1.33" and definition["vpc"] == {"cidr": "172.20.0.0/16"}
    (nodegroup,) = definition["nodegroups"]
    assert nodegroup["instance_types"] == ["t3.medium"]
    assert (nodegroup["min_size"], nodegroup["desired_size"], nodegroup["max_size"]) == (2, 2, 3)
    assert nodegroup["volume"] == {"size": 30}
    assert awx.local_aws.requests() == []


def test_create_survey_runs_site_in_check_mode(awx):
    """The "EKS cluster" job template as AWX launches it with its survey's defaults (the seed cluster's values)
    and an answer, run in check mode: the definition checked, nothing created."""
    extra_vars = fill(load("create"), {"cluster_name": "surveyed", "endpoint_access": "Public+Private"})
    awx.local_aws.clear_requests()
    job = awx.job("awx/create.yml", extra_vars, check=True)
    assert (job.status, job.rc) == ("successful", 0), job.output()
    assert awx.local_aws.requests(mutating=True) == []
    normalized = job.facts("definition__cluster")
    assert normalized["name"] == "surveyed" and normalized["version"] == "1.33"
    assert normalized["endpoint"]["public_access"] is True and normalized["endpoint"]["private_access"] is True
    assert [n["name"] for n in normalized["nodegroups"]] == ["surveyed-nodes"]
    messages = json.dumps([e["event_data"].get("res", {}).get("msg") for e in job.of("runner_on_ok")])
    assert "Cluster surveyed in ap-northeast-2: to be created" in messages


def test_bad_survey_answer_fails_before_any_aws_call(awx):
    """Answers AWX lets through (within the survey's limits) that the definition refuses: named, nothing called."""
    extra_vars = fill(load("create"), {"cluster_name": "bad", "node_min_size": 3, "node_desired_size": 2})
    awx.local_aws.clear_requests()
    job = awx.job("awx/create.yml", extra_vars)
    assert (job.status, job.rc) == ("failed", 2)
    failed = job.of("runner_on_failed")
    assert failed and "nodegroups[0].min_size: 3 is above" in json.dumps(failed[-1]["event_data"]["res"])
    assert awx.local_aws.requests(mutating=True) == []


def test_site_upgrade_and_teardown_as_awx_jobs(awx):
    """Three job templates' runs, one job (one event stream, one artifacts dir) each: site.yml with the definition in
    its extra variables (first failing on AWS's answer, then resuming), playbooks/upgrade.yml with the upgrade
    survey's answers, playbooks/teardown.yml."""
    local_aws = awx.local_aws
    definition = small_cluster("awxjob", version="1.32")
    denied = "User: arn:aws:iam::123456789012:user/moto is not authorized to perform: eks:CreateCluster"
    local_aws.faults(
        fail_next=[{"operation": "eks:CreateCluster", "count": 1,
                    "error": {"code": "AccessDeniedException", "status": 403, "message": denied}}]
    )  # fmt: skip
    failed = awx.job("site.yml", {"aews_eks_cluster": definition})
    assert (failed.status, failed.rc) == ("failed", 2)
    (event,) = failed.of("runner_on_failed")
    assert event["event_data"]["host"] == "localhost"
    assert denied in json.dumps(event["event_data"]["res"])
    assert failed.of("playbook_on_stats")[-1]["event_data"]["failures"] == {"localhost": 1}
    assert failed.of("playbook_on_start") and len(failed.of("playbook_on_start")) == 1

    site = awx.job("site.yml", {"aews_eks_cluster": definition})
    assert (site.status, site.rc) == ("successful", 0), site.output()
    assert len(site.of("playbook_on_start")) == 1 and site.events[-1]["event"] == "playbook_on_stats"
    # The summary is the last output: the last result with a message before the stats, in the last play that had hosts (the
    # fleet summary play matches no host for a single cluster).
    last_ok = [e for e in site.of("runner_on_ok") if "msg" in e["event_data"]["res"]][-1]
    after_summary = site.of("runner_on_ok")[site.of("runner_on_ok").index(last_ok) + 1:]
    assert [e["event_data"]["task"] for e in after_summary] == ["Site | Converged (read by the fleet summary)"]
    plays = site.of("playbook_on_play_start")
    assert [p["event_data"]["play"] for p in plays] == ["EKS cluster from its definition", "Fleet summary"]
    after = [e["event"] for e in site.events[site.events.index(plays[-1]) + 1:]]
    assert "playbook_on_no_hosts_matched" in after and "runner_on_ok" not in after
    assert last_ok["event_data"]["play_uuid"] == plays[0]["event_data"]["play_uuid"]
    assert last_ok["event_data"]["task"] == "Summary | Show the cluster"
    summary = last_ok["event_data"]["res"]["msg"]
    assert summary[0] == "Cluster awxjob in ap-northeast-2: ACTIVE, Kubernetes 1.32"
    assert "Nodegroup ng: ACTIVE, t3.medium, min/desired/max 1/1/1" in summary
    assert site.of("playbook_on_stats")[-1]["event_data"]["changed"].get("localhost", 0) > 0

    upgrade_vars = fill(load("upgrade"), {"cluster_name": "awxjob", "target_version": "1.33"})
    upgrade = awx.job("playbooks/upgrade.yml", upgrade_vars)
    assert (upgrade.status, upgrade.rc) == ("successful", 0), upgrade.output()
    eks = boto3.client("eks", endpoint_url=local_aws.url, region_name="ap-northeast-2",
                       aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip
    assert eks.describe_cluster(name="awxjob")["cluster"]["version"] == "1.33"
    assert eks.describe_nodegroup(clusterName="awxjob", nodegroupName="ng")["nodegroup"]["version"] == "1.33"
    assert upgrade.pdd != site.pdd and not (upgrade.pdd / "artifacts" / "2").exists()

    teardown = awx.job("playbooks/teardown.yml", {"aews_eks_cluster": {**definition, "version": "1.33"}})
    assert (teardown.status, teardown.rc) == ("successful", 0), teardown.output()
    assert eks.list_clusters()["clusters"] == []
    ec2 = boto3.client("ec2", endpoint_url=local_aws.url, region_name="ap-northeast-2",
                       aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip
    assert ec2.describe_vpcs(Filters=[{"Name": "tag:aews.eks/cluster-name", "Values": ["awxjob"]}])["Vpcs"] == []
