"""What the reliability tests share: the seed definition, ansible-playbook runs that can be watched and killed,
and an inventory of every resource kind in the local endpoint's account."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import boto3
import yaml
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
OWNER = "aews.eks/cluster-name"
SITE = ROOT / "site.yml"
TEARDOWN = ROOT / "playbooks" / "teardown.yml"
RECAP = re.compile(r"^\S+\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)
PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKs1sRyq0yVq0hQ3v5q0u1M3m0Qe8yQm8Vv3f9Jm8y0a test\n"
# Every run: waits poll every half second, deletes refused for a dependency
# tried again every second (the endpoint's transitions last seconds).
FAST = ("-e", "aews_eks_poll_delay=1", "-e", "aews_eks_delete_delay=1",
        "-e", "aews_eks_delete_retries=20")  # fmt: skip

# The test's own reads (what exists, what is left): patient, so that the faults a test injects into the endpoint
# for the collection's runs cannot fail the test's checks (throttling and 5xx retried up to 10 times).
PATIENT = Config(retries={"max_attempts": 10, "mode": "standard"})


def aws(service):
    """A boto3 client for the test's own checks (``PATIENT`` retries)."""
    return boto3.client(service, config=PATIENT)


def seed(tmp_path, **changes):
    """examples/seed-cluster.yml with a throwaway public key; ``changes`` merged into aews_eks_cluster."""
    key = tmp_path / "id_test.pub"
    key.write_text(PUBLIC_KEY)
    data = yaml.safe_load((ROOT / "examples" / "seed-cluster.yml").read_text())
    definition = data["aews_eks_cluster"]
    definition["nodegroups"][0]["ssh"]["public_key_path"] = str(key)
    definition.update(changes)
    path = tmp_path / "seed.yml"
    path.write_text(yaml.safe_dump(data))
    return path, definition


@dataclass
class Result:
    returncode: int | None
    stdout: str
    events: list = field(default_factory=list)
    killed: bool = False
    seconds: float = 0.0

    @property
    def changed(self):
        recap = RECAP.findall(self.stdout)
        return int(recap[-1][1]) if recap else None

    def results(self):
        """Task results (not loop items), in order."""
        return [e for e in self.events if e["event"] == "result"]

    def changed_tasks(self):
        return [e["task"] for e in self.results() if e["status"] == "changed"]

    def tail(self, lines=60):
        return "\n".join(self.stdout.splitlines()[-lines:])


class Playbook:
    """One ansible-playbook run in a process group of its own, its output and task events streamed to files."""

    def __init__(self, local_aws, tmp_path, playbook, *args, env=None):
        self.local_aws = local_aws
        tmp_path.mkdir(parents=True, exist_ok=True)
        stamp = f"{playbook.stem}-{time.monotonic_ns()}"
        self.out_path = tmp_path / f"{stamp}.out"
        self.events_path = tmp_path / f"{stamp}.events"
        self.environment = dict(
            os.environ,
            AWS_ENDPOINT_URL=local_aws.url,
            ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
            ANSIBLE_COLLECTIONS_PATH=str(ROOT / "collections"),
            ANSIBLE_DEPRECATION_WARNINGS="false",
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_CALLBACK_PLUGINS=str(HERE / "callback_plugins"),
            ANSIBLE_CALLBACKS_ENABLED="reliability_events",
            AEWS_RELIABILITY_EVENTS=str(self.events_path),
            **(env or {}),
        )
        self.command = [str(BIN / "ansible-playbook"), str(playbook), *FAST, *args]
        self.process = None
        self.started = None

    def start(self):
        self.events_path.write_text("")
        self._out = open(self.out_path, "w", encoding="utf-8")  # noqa: SIM115 (closed in finish)
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=self.environment, stdout=self._out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        return self

    def events(self):
        events = []
        for line in self.events_path.read_text().splitlines():
            try:
                events.append(json.loads(line))
            except ValueError:  # a line being written when killed
                pass
        return events

    def finish(self, killed=False, timeout=600):
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            raise
        self._out.close()
        return Result(
            self.process.returncode, self.out_path.read_text(), self.events(), killed, time.monotonic() - self.started
        )

    def kill_when(self, point, timeout=600):
        """Run until ``point(watch)`` is true, then SIGKILL ansible-playbook, its workers and the module processes
        under way (``kill_tree``). ``watch`` offers the task events and this run's request log so far.
        Fails when the run ends first."""
        since = len(self.local_aws.get("/_aews/requests")["requests"])
        self.start()
        watch = Watch(self, since)
        deadline = time.monotonic() + timeout
        while True:
            watch.refresh()
            if point(watch):
                kill_tree(self.process.pid)
                result = self.finish(killed=True)
                watch.refresh()
                result.requests = watch.requests
                return result
            if self.process.poll() is not None:
                result = self.finish()
                raise AssertionError(f"the run ended (rc {result.returncode}) before the kill point\n{result.tail()}")
            if time.monotonic() > deadline:
                os.killpg(self.process.pid, signal.SIGKILL)
                raise AssertionError("the kill point was never reached")
            time.sleep(0.1)


def descendants(pid):
    """The processes under ``pid`` (read from /proc)."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_tree(pid):
    """SIGKILL ansible-playbook and every process under it: its workers start sessions of their own (setsid), so
    killing its process group alone would leave the module under way running to its end. All are stopped first,
    so none forks or finishes meanwhile."""
    tree = [pid]
    for _round in range(3):
        for process in tree:
            try:
                os.kill(process, signal.SIGSTOP)
            except ProcessLookupError:
                pass
        tree = [pid, *descendants(pid)]
    for process in tree:
        try:
            os.killpg(os.getpgid(process), signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            os.kill(process, signal.SIGKILL)
        except ProcessLookupError:
            pass


class Watch:
    """A running playbook as a kill point sees it."""

    def __init__(self, playbook, since):
        self.playbook = playbook
        self.since = since
        self.events = []
        self.requests = []

    def refresh(self):
        self.events = self.playbook.events()
        self.requests = self.playbook.local_aws.get(f"/_aews/requests?since={self.since}")["requests"]

    def started(self, task):
        """The task named ``task`` (its name as shown, without the role) has started."""
        return any(e["event"] == "start" and e["task"].split(" : ")[-1] == task for e in self.events)

    def called(self, operation, after=None):
        """The number of ``operation`` calls answered 2xx, only those after the first successful ``after``."""
        entries = [r for r in self.requests if r["status"] < 300]
        if after is not None:
            index = next((i for i, r in enumerate(entries) if r["operation"] == after), None)
            if index is None:
                return 0
            entries = entries[index + 1 :]
        return sum(1 for r in entries if r["operation"] == operation)


def run(local_aws, tmp_path, playbook, *args, env=None, timeout=600):
    """Run a playbook to its end."""
    return Playbook(local_aws, tmp_path, playbook, *args, env=env).start().finish(timeout=timeout)


# ---------------------------------------------------------------- what the account holds
def inventory(name=None):
    """Every resource of each kind site.yml makes, in the whole account (so also what a run made without its
    ownership tag), by kind: a sorted list of what identifies each one (name, CIDR, tags). Leaves out what the
    account has before any run (moto's default VPC with its subnets, groups and tables) and what EKS made itself
    (the cluster security group, the remote-access group, service-linked roles)."""
    ec2 = aws("ec2")
    iam = aws("iam")
    eks = aws("eks")

    def tags(resource):
        return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}

    vpcs = [v for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")]
    vpc_ids = [v["VpcId"] for v in vpcs]
    in_vpcs = [{"Name": "vpc-id", "Values": vpc_ids}] if vpc_ids else None

    def describe(operation, key, **kwargs):
        if in_vpcs is None:
            return []
        return getattr(ec2, operation)(Filters=in_vpcs, **kwargs)[key]

    found = {
        "vpcs": [f"{v['CidrBlock']} {tags(v).get('Name')}" for v in vpcs],
        "subnets": [f"{s['CidrBlock']} {tags(s).get('Name')}" for s in describe("describe_subnets", "Subnets")],
        "route_tables": [
            f"{tags(t).get('Name')} {len(t.get('Associations', []))}"
            for t in describe("describe_route_tables", "RouteTables")
            if not any(a.get("Main") for a in t.get("Associations", []))
        ],
        "internet_gateways": [tags(g).get("Name") for g in ec2.describe_internet_gateways()["InternetGateways"]],
        "nat_gateways": [
            f"{tags(n).get('Name')} {n['State']}"
            for n in ec2.describe_nat_gateways()["NatGateways"]
            if n["State"] not in ("deleted", "failed")
        ],
        "elastic_ips": [tags(a).get("Name") for a in ec2.describe_addresses()["Addresses"]],
        "security_groups": [
            g["GroupName"]
            for g in describe("describe_security_groups", "SecurityGroups")
            if g["GroupName"] != "default" and not g["GroupName"].startswith(("eks-cluster-sg-", "eks-remoteAccess-"))
        ],
        "iam_roles": [
            r["RoleName"] for r in iam.list_roles()["Roles"] if not r["Path"].startswith("/aws-service-role/")
        ],
        "oidc_providers": [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]],
        "key_pairs": [k["KeyName"] for k in ec2.describe_key_pairs()["KeyPairs"]],
        "launch_templates": [t["LaunchTemplateName"] for t in ec2.describe_launch_templates()["LaunchTemplates"]],
        "clusters": eks.list_clusters()["clusters"],
        "nodegroups": [],
        "addons": [],
    }
    for cluster in found["clusters"]:
        found["nodegroups"] += [f"{cluster}/{n}" for n in eks.list_nodegroups(clusterName=cluster)["nodegroups"]]
        found["addons"] += [f"{cluster}/{a}" for a in eks.list_addons(clusterName=cluster)["addons"]]
    return {kind: sorted(str(x) for x in values) for kind, values in found.items()}


def counts(found):
    return {kind: len(values) for kind, values in found.items()}


def duplicates(found):
    """Kinds holding the same identity more than once: what a resumed or retried run made twice."""
    return {kind: sorted({x for x in values if values.count(x) > 1}) for kind, values in found.items()
            if len(set(values)) != len(values)}  # fmt: skip


def owned(name):
    """Every resource still carrying the cluster's ownership tag, or named after it where AWS has no tags to
    filter on (IAM roles, OIDC providers, key pairs, launch templates), and EKS's own resources of the cluster."""
    ec2 = aws("ec2")
    iam = aws("iam")
    eks = aws("eks")
    tag = [{"Name": f"tag:{OWNER}", "Values": [name]}]
    left = {}
    for describe, key in [
        ("describe_vpcs", "Vpcs"),
        ("describe_subnets", "Subnets"),
        ("describe_security_groups", "SecurityGroups"),
        ("describe_internet_gateways", "InternetGateways"),
        ("describe_route_tables", "RouteTables"),
        ("describe_addresses", "Addresses"),
        ("describe_key_pairs", "KeyPairs"),
        ("describe_launch_templates", "LaunchTemplates"),
        ("describe_network_interfaces", "NetworkInterfaces"),
    ]:
        items = getattr(ec2, describe)(Filters=tag)[key]
        if items:
            left[key] = items
    nats = [
        n for n in ec2.describe_nat_gateways(Filters=tag)["NatGateways"] if n["State"] not in ("deleted", "deleting")
    ]
    if nats:
        left["NatGateways"] = nats
    roles = []
    for role in iam.list_roles()["Roles"]:
        role_tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=role["RoleName"])["Tags"]}
        if role_tags.get(OWNER) == name or role["RoleName"].startswith(f"{name}-"):
            roles.append(role["RoleName"])
    if roles:
        left["Roles"] = roles
    providers = []
    for provider in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]:
        provider_tags = iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=provider["Arn"])["Tags"]
        if {t["Key"]: t["Value"] for t in provider_tags}.get(OWNER) == name:
            providers.append(provider["Arn"])
    if providers:
        left["OpenIDConnectProviders"] = providers
    if name in eks.list_clusters()["clusters"]:
        left["Cluster"] = [name]
    return left


def injected(local_aws):
    return local_aws.get("/_aews/faults")["injected"]


# The seed's end state: what site.yml leaves in an empty account, each resource once.
EXPECTED = {
    "vpcs": ["172.20.0.0/16 myeks-vpc"],
    "subnets": [
        "172.20.0.0/19 myeks-public-ap-northeast-2a",
        "172.20.32.0/19 myeks-public-ap-northeast-2c",
        "172.20.64.0/19 myeks-private-ap-northeast-2a",
        "172.20.96.0/19 myeks-private-ap-northeast-2c",
    ],
    # name, then the number of subnets associated
    "route_tables": ["myeks-private-ap-northeast-2a 1", "myeks-private-ap-northeast-2c 1", "myeks-public 2"],
    "internet_gateways": ["myeks-igw"],
    "nat_gateways": ["myeks-nat-ap-northeast-2a available"],
    "elastic_ips": ["myeks-nat-ap-northeast-2a"],
    "security_groups": ["myeks-control-plane", "myeks-mynodegroup-remote-access", "myeks-shared-nodes"],
    "iam_roles": ["myeks-cluster-role", "myeks-mynodegroup-node-role"],
    "oidc_providers": [],
    "key_pairs": ["myeks-mynodegroup"],
    "launch_templates": ["myeks-mynodegroup"],
    "clusters": ["myeks"],
    "nodegroups": ["myeks/mynodegroup"],
    "addons": ["myeks/coredns", "myeks/kube-proxy", "myeks/metrics-server", "myeks/vpc-cni"],
}


def assert_nothing_left(name):
    """Nothing of the cluster left: nothing owned, and no resource of the kinds site.yml makes."""
    assert owned(name) == {}
    assert {k: v for k, v in inventory().items() if v} == {}


def report(line):
    """A figure of docs/reliability.md: printed (pytest -s) and appended to tests/output/reliability-figures.txt."""
    print(line)
    output = ROOT / "tests" / "output"
    if output.is_dir():
        with open(output / "reliability-figures.txt", "a", encoding="utf-8") as figures:
            figures.write(line + "\n")
