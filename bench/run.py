#!/usr/bin/env python
"""make bench: aews.eks's site.yml against the amazon.aws / community.aws peer playbook, on the local AWS endpoint.

Starts the local endpoint itself (as hack/demo.py does) and, in one run:

1. side by side, transitions instant, median of --trials trials: first converge, no-op re-run and teardown of the
   peer's partial stack (bench/peer/site.yml, bench/peer/teardown.yml) and of site.yml on the seed's whole stack
   (examples/seed-cluster.yml): wall time, AWS calls and mutating calls (the endpoint's request log), managed
   resources (read from the endpoint after the converge) and the minimum of one read per managed resource;
2. AWS-like timing: the endpoint's realistic profile with AWS's durations scaled by 1/60; site.yml's wall time
   against the critical path plus Ansible's fixed overhead (the no-op re-run of the same run) and the serial sum;
3. fleets of 1, 4 and 8 clusters from one inventory (one host per cluster, forks = clusters) under the same timing,
   with the controller's peak memory (ansible-playbook and its workers, summed, sampled from /proc).

Writes docs/benchmarks.md (tables, command, machine, date) and docs/benchmarks.png, and the raw figures to
tests/output/bench.json. Nothing here is asserted: the figures are reported as measured.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "hack"))
sys.path.insert(0, str(ROOT))

import demo  # noqa: E402  (hack/demo.py: endpoint start-up, throwaway key, seed definition)

from bench import report  # noqa: E402

SCALE = 1 / 60
# AWS's durations in seconds (cluster create 10 min, nodegroup 3 min, add-on 1 min, update 2 min; deletes alike).
AWS_DELAYS = {"cluster": 600, "nodegroup": 180, "addon": 60, "update": 120}
AWS_NAT_GATEWAY = {"create": 120, "delete": 60}
# The roles poll every 15 s on AWS (aews_eks_poll_delay's default); in the AWS-like runs, scaled as the transitions are.
AWS_POLL_DELAY = 15 * SCALE
PEER = ROOT / "bench" / "peer"
PEER_CANNOT = [
    "EKS add-ons (vpc-cni, kube-proxy, coredns, metrics-server): no module",
    "the cluster's IAM OIDC provider and IAM roles for service accounts (IRSA, Pod Identity): no module",
    "access entries, control plane logging and retention, endpoint access, secrets encryption: not options of "
    "community.aws.eks_cluster, so neither set nor converged",
    "Kubernetes version upgrades: community.aws.eks_cluster fails on a version change",
    "checks of the definition against what EKS offers (versions, add-on schemas, instance types) before any change",
    "eksctl's shared node security group and its rules with the cluster security group",
]
OWNED_EC2 = (
    ("vpcs", "describe_vpcs", "Vpcs"),
    ("subnets", "describe_subnets", "Subnets"),
    ("internet gateways", "describe_internet_gateways", "InternetGateways"),
    ("NAT gateways", "describe_nat_gateways", "NatGateways"),
    ("elastic IPs", "describe_addresses", "Addresses"),
    ("route tables", "describe_route_tables", "RouteTables"),
    ("security groups", "describe_security_groups", "SecurityGroups"),
    ("launch templates", "describe_launch_templates", "LaunchTemplates"),
    ("key pairs", "describe_key_pairs", "KeyPairs"),
)


# ---------------------------------------------------------------------------------------------- the endpoint
class Endpoint:
    def __init__(self, url):
        self.url = url

    def call(self, method, path, payload=None):
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
        return json.loads(body) if body else None

    def reset(self, **config):
        self.call("POST", "/_aews/reset")
        if config:
            self.call("POST", "/_aews/config", config)

    def clear(self):
        self.call("DELETE", "/_aews/requests")

    def counts(self):
        entries = self.call("GET", "/_aews/requests")["requests"]
        return {"calls": len(entries), "mutating": sum(1 for e in entries if e.get("mutating"))}

    def config(self):
        return self.call("GET", "/_aews/config")


def managed_resources(url, region="ap-northeast-2"):
    """What exists in the endpoint besides moto's defaults, by kind: {kind: count}."""
    import boto3

    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region)
    ec2, eks, iam, logs = (session.client(s, endpoint_url=url) for s in ("ec2", "eks", "iam", "logs"))
    default_vpcs = {v["VpcId"] for v in ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]}
    found = {}
    for kind, call, key in OWNED_EC2:
        items = getattr(ec2, call)()[key]
        items = [i for i in items if i.get("VpcId") not in default_vpcs or kind in ("elastic IPs",)]
        if kind == "vpcs":
            items = [i for i in items if i["VpcId"] not in default_vpcs]
        if kind == "security groups":
            # not the VPC's default group, nor the cluster security group EKS makes
            items = [
                i for i in items if i["GroupName"] != "default" and not i["GroupName"].startswith("eks-cluster-sg-")
            ]
        if kind == "route tables":  # a VPC's main route table comes with the VPC
            items = [i for i in items if not any(a.get("Main") for a in i.get("Associations", []))]
        if kind == "internet gateways":
            items = [i for i in items if not any(a["VpcId"] in default_vpcs for a in i.get("Attachments", []))]
        if kind == "NAT gateways":
            items = [i for i in items if i["State"] in ("pending", "available")]
        found[kind] = len(items)
    found["IAM roles"] = sum(1 for r in iam.list_roles()["Roles"] if not r["Path"].startswith("/aws-service-role/"))
    found["IAM OIDC providers"] = len(iam.list_open_id_connect_providers()["OpenIDConnectProviderList"])
    found["log groups"] = len(logs.describe_log_groups()["logGroups"])
    clusters = eks.list_clusters()["clusters"]
    found["EKS clusters"] = len(clusters)
    found["nodegroups"] = sum(len(eks.list_nodegroups(clusterName=c)["nodegroups"]) for c in clusters)
    found["add-ons"] = sum(len(eks.list_addons(clusterName=c)["addons"]) for c in clusters)
    return {kind: count for kind, count in found.items() if count}


# ---------------------------------------------------------------------------------------------- runs
class PeakMemory(threading.Thread):
    """Samples the resident memory of a process and its descendants (summed) from /proc until stopped."""

    def __init__(self, pid, interval=0.2):
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_kb = 0
        self.done = threading.Event()

    def tree(self):
        children = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                children.setdefault(ppid, []).append(int(entry))
        pids, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            todo.extend(children.get(pid, []))
        return pids

    def sample(self):
        total = 0
        for pid in self.tree():
            try:
                with open(f"/proc/{pid}/status") as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1])
            except OSError:
                continue
        self.peak_kb = max(self.peak_kb, total)

    def run(self):
        while not self.done.is_set():
            self.sample()
            self.done.wait(self.interval)

    def stop(self):
        self.done.set()
        self.join()


def run_playbook(title, args, env, log_dir):
    """Runs ansible-playbook ARGS, its output to a log file: {"wall", "changed", "failed", "rc", "peak_rss_mb",
    "output"}."""
    command = [str(BIN / "ansible-playbook"), *args]
    print(f"  {title}: ansible-playbook {' '.join(shlex.quote(a) for a in args)}", flush=True)
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sampler = PeakMemory(process.pid)
    sampler.start()
    output = process.communicate()[0]
    wall = time.monotonic() - started
    sampler.stop()
    log = Path(log_dir) / (title.replace(" ", "-").replace("/", "-") + ".log")
    log.write_text(output)
    recap = demo.RECAP.findall(output)
    changed = sum(int(r[2]) for r in recap)
    failed = sum(int(r[4]) for r in recap) + sum(int(r[3]) for r in recap)
    print(f"    {wall:.1f} s, rc={process.returncode}, changed={changed}, failed={failed} ({log})", flush=True)
    if process.returncode != 0:
        print(output[-3000:], flush=True)
    return {
        "wall": wall,
        "changed": changed,
        "failed": failed,
        "rc": process.returncode,
        "peak_rss_mb": sampler.peak_kb / 1024,
        "output": output,
    }


def measured(endpoint, title, args, env, log_dir):
    endpoint.clear()
    result = run_playbook(title, args, env, log_dir)
    result.update(endpoint.counts())
    return result


def base_env(url):
    env = dict(
        os.environ,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="ap-northeast-2",
        AWS_REGION="ap-northeast-2",
        AWS_ENDPOINT_URL=url,
        AEWS_EKS_WAIT_DELAY="0.5",
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        ANSIBLE_COLLECTIONS_PATH=str(ROOT / "collections"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_DEPRECATION_WARNINGS="false",
        ANSIBLE_CALLBACKS_ENABLED="ansible.posix.profile_tasks",
        PROFILE_TASKS_TASK_OUTPUT_LIMIT="all",
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "ANSIBLE_STRATEGY"):
        env.pop(key, None)
    return env


def stacks(definition, public_key):
    site = [str(ROOT / "site.yml"), "-e", f"@{definition}", "-e", "aews_eks_poll_delay=1"]
    teardown = [str(ROOT / "playbooks" / "teardown.yml"), "-e", f"@{definition}", "-e", "aews_eks_poll_delay=1"]
    return {
        "peer": {
            "converge": [str(PEER / "site.yml"), "-e", f"peer_public_key_path={public_key}"],
            "noop": [str(PEER / "site.yml"), "-e", f"peer_public_key_path={public_key}"],
            "teardown": [str(PEER / "teardown.yml")],
        },
        "aews": {"converge": site, "noop": site, "teardown": teardown},
    }


def side_by_side(endpoint, env, definition, public_key, trials, log_dir):
    results = {stack: {phase: [] for phase in report.PHASES} for stack in report.STACKS}
    resources = {}
    outputs = {}
    for trial in range(1, trials + 1):
        for stack, phases in stacks(definition, public_key).items():
            print(f"\n=== side by side, trial {trial}/{trials}: {report.STACK_TITLES[stack]}", flush=True)
            endpoint.reset(profile="ideal", scale=0)
            for phase in report.PHASES:
                if phase == "teardown":
                    resources[stack] = managed_resources(endpoint.url)
                result = measured(endpoint, f"{stack}-{phase}-{trial}", phases[phase], env, log_dir)
                outputs[(stack, phase)] = result.pop("output")
                results[stack][phase].append(result)
    return results, resources, outputs


def durations(config):
    """The transition durations the endpoint runs with, in seconds: {"cluster", "nodegroup", "addon",
    "nat_gateway"}."""
    scale = float(config["scale"])
    nat = config.get("nat_gateway") or {"create": 0}
    return {
        "cluster": config["delays"]["cluster"] * scale,
        "nodegroup": config["delays"]["nodegroup"] * scale,
        "addon": config["delays"]["addon"] * scale,
        "nat_gateway": float(nat["create"]) * scale,
    }


def aws_like(endpoint, env, definition, seed, log_dir):
    print("\n=== AWS-like timing (realistic profile, AWS's durations / 60)", flush=True)
    endpoint.reset(profile="realistic", seed=1, scale=SCALE, delays=AWS_DELAYS, nat_gateway=AWS_NAT_GATEWAY)
    config = endpoint.config()
    env = dict(env, AEWS_EKS_WAIT_DELAY=f"{AWS_POLL_DELAY:g}")
    site = [str(ROOT / "site.yml"), "-e", f"@{definition}", "-e", "aews_eks_poll_delay=1"]
    converge = measured(endpoint, "aws-like-converge", site, env, log_dir)
    noop = measured(endpoint, "aws-like-noop", site, env, log_dir)
    teardown = [str(ROOT / "playbooks" / "teardown.yml"), "-e", f"@{definition}", "-e", "aews_eks_poll_delay=1"]
    down = measured(endpoint, "aws-like-teardown", teardown, env, log_dir)
    seconds = durations(config)
    addons = seed.get("addons") or []
    late = [a for a in addons if a["name"] not in ("vpc-cni", "kube-proxy", "coredns")]
    nats = {"single": 1, "highly_available": len(seed["vpc"]["availability_zones"])}.get(seed["vpc"].get("nat"), 0)
    path = report.critical_path(seconds, addons_after_nodes=bool(late))
    serial = report.serial_sum(seconds, nodegroups=len(seed.get("nodegroups") or []), addons=len(addons),
                               nat_gateways=nats)  # fmt: skip
    for result in (converge, noop, down):
        result.pop("output")
    return {
        "durations": seconds,
        "converge": converge,
        "noop": noop,
        "teardown": down,
        "critical_path": path,
        "serial_sum": serial,
        "rows": report.aws_like_rows(converge["wall"], noop["wall"], path, serial),
    }


def fleet_inventory(directory, count, public_key):
    """An inventory of COUNT clusters (the seed's shape, one host each) in group bench_fleet."""
    import yaml

    seed = yaml.safe_load((ROOT / "examples" / "seed-cluster.yml").read_text())["aews_eks_cluster"]
    inventory = Path(directory) / f"fleet-{count}"
    (inventory / "host_vars").mkdir(parents=True)
    hosts = {}
    for index in range(1, count + 1):
        name = f"fleet-{index:02d}"
        cluster = json.loads(json.dumps(seed))
        cluster["name"] = name
        cluster["vpc"]["cidr"] = f"10.{100 + index}.0.0/16"
        for nodegroup in cluster["nodegroups"]:
            nodegroup["labels"]["alpha.eksctl.io/cluster-name"] = name
            nodegroup["ssh"]["public_key_path"] = str(public_key)
        (inventory / "host_vars" / f"{name}.yml").write_text(yaml.safe_dump({"aews_eks_cluster": cluster}))
        hosts[name] = None
    group_vars = {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"}
    (inventory / "hosts.yml").write_text(yaml.safe_dump({"bench_fleet": {"hosts": hosts, "vars": group_vars}}))
    return inventory


def fleets(endpoint, env, counts, public_key, directory, log_dir):
    found = {}
    for count in counts:
        print(f"\n=== fleet of {count} (realistic profile, no quotas, AWS's durations / 60)", flush=True)
        endpoint.reset(profile="realistic", seed=1, scale=SCALE, delays=AWS_DELAYS, nat_gateway=AWS_NAT_GATEWAY,
                       quotas=None)  # fmt: skip
        inventory = fleet_inventory(directory, count, public_key)
        args = [str(ROOT / "site.yml"), "-i", str(inventory), "-e", "aews_eks_hosts=bench_fleet",
                "-e", "aews_eks_poll_delay=1", "--forks", str(count)]  # fmt: skip
        result = measured(endpoint, f"fleet-{count}", args, env, log_dir)
        result.pop("output")
        found[count] = result
    return found


# ---------------------------------------------------------------------------------------------- the page
def machine():
    from ansible import release

    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "ansible_core": release.__version__,
        "platform": platform.platform(terse=True),
        "load": os.getloadavg()[0],
    }


def page(data):
    rows = data["rows"]
    resources = {stack: sum(kinds.values()) for stack, kinds in data["resources"].items()}
    noop = next(r for r in rows if r["phase"] == "noop")
    reads, minimum, per_resource = report.reads_per_resource(noop["aews"], resources["aews"])
    peer_reads, peer_minimum, peer_per_resource = report.reads_per_resource(noop["peer"], resources["peer"])
    m = data["machine"]
    aws = data["aws_like"]
    fleet = report.fleet_rows({int(k): v for k, v in data["fleets"].items()})
    kinds = "; ".join(
        f"{report.STACK_TITLES[stack]}: "
        + ", ".join(f"{n} {kind}" for kind, n in sorted(data["resources"][stack].items()))
        for stack in report.STACKS
    )
    hot = report.hot_spot_table(data["hot_spots"]) if data["hot_spots"] else "(no profile_tasks output)"
    failures = [
        f"{stack} {phase} trial {n}" for stack in report.STACKS for phase in report.PHASES
        for n, t in enumerate(data["results"][stack][phase], 1) if t["rc"] != 0
    ] + [f"AWS-like {k}" for k in ("converge", "noop", "teardown") if aws[k]["rc"] != 0] + [
        f"fleet of {n}" for n, t in data["fleets"].items() if t["rc"] != 0
    ]  # fmt: skip
    failed = ("**Runs that failed (their figures are those of a failed run):** " + ", ".join(failures) + "\n\n"
              if failures else "Every run succeeded (exit 0).\n\n")  # fmt: skip
    return f"""# Benchmarks

Written by `{data['command']}` (bench/run.py) on {data['date']}: {m['cpus']} CPUs ({m['platform']}, load
{m['load']:.1f} at the start), Python {m['python']}, ansible-core {m['ansible_core']}. Every run is against the local AWS
endpoint (tests/local_aws), which bench/run.py starts and stops itself; the AWS calls are counted from its request log.
Nothing here is asserted by `make test`: these are the figures as measured.

{failed}
## Side by side (transitions instant, median of {data['trials']} trials)

The peer is `bench/peer/site.yml` (and `teardown.yml`): the seed's stack as far as amazon.aws and community.aws
modules build it, one task per resource, as their user would write it. aews.eks runs `site.yml` on the seed
(`examples/seed-cluster.yml`), its whole stack. Ratios are aews.eks / peer (below 1: aews.eks faster or fewer).

{report.side_by_side_table(rows, resources)}

Managed resources (read from the endpoint after the no-op re-run): {kinds}.

No-op re-run reads: aews.eks {reads:g} for {minimum} managed resources (the minimum, one read per resource:
{minimum}), {report.fmt_ratio(per_resource)} reads per resource; the peer {peer_reads:g} for {peer_minimum}
({report.fmt_ratio(peer_per_resource)}).

What the peer playbook cannot build (so its stack is partial):

{chr(10).join('- ' + item for item in PEER_CANNOT)}

## AWS-like timing

The endpoint's realistic profile (IAM propagation, EC2 read-after-create lag, NAT gateway states) with AWS's
durations scaled by 1/60: cluster {aws['durations']['cluster']:.1f} s, nodegroup {aws['durations']['nodegroup']:.1f} s,
add-on {aws['durations']['addon']:.1f} s, NAT gateway {aws['durations']['nat_gateway']:.1f} s (deletes alike), and the
roles' polls alike (every {AWS_POLL_DELAY:.2f} s for AWS's 15 s: `AEWS_EKS_WAIT_DELAY`). The critical
path is the cluster, then the nodegroups (created together), then the add-ons that wait for nodes; Ansible's fixed
overhead is the no-op re-run of the same run ({fmt(aws['noop'])}); the serial sum is the same transitions one after
another in eksctl's order (NAT gateway, cluster, each add-on, each nodegroup).

{report.aws_like_table(aws['rows'])}

Teardown in the same timing: {fmt(aws['teardown'])}.

## Fleets

1, 4 and 8 clusters of the seed's shape from one inventory (one host per cluster, `--forks` = clusters), in the
AWS-like timing above with the quotas lifted. Peak memory is that of `ansible-playbook` and its workers, summed,
sampled every 0.2 s from /proc.

{report.fleet_table(fleet)}

## Where the no-op re-run's time goes

The slowest tasks of aews.eks's no-op re-run (profile_tasks, last trial):

{hot}

![benchmarks](benchmarks.png)
"""


def fmt(result):
    return (
        f"{result['wall']:.1f} s, {result['calls']} calls, {result['mutating']} mutating, changed={result['changed']}"
    )


# ---------------------------------------------------------------------------------------------- main
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=2)
    parser.add_argument("--fleets", default="1,4,8", help="cluster counts of the fleet runs, comma-separated")
    parser.add_argument("--output", default=str(ROOT / "docs"), help="directory of benchmarks.md and .png")
    options = parser.parse_args(argv)
    counts = [int(n) for n in options.fleets.split(",") if n.strip()]
    command = (
        "make bench"
        if os.environ.get("AEWS_BENCH_MAKE")
        else "python bench/run.py " + " ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))
    )

    import yaml

    port = demo.free_port()
    url = f"http://127.0.0.1:{port}"
    log_dir = ROOT / "tests" / "output" / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    print(f"local AWS endpoint on {url}; logs in {log_dir}", flush=True)
    data = {
        "command": command.strip(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "trials": options.trials,
    }
    process = demo.start_endpoint(port, log_dir / "local-aws.log")
    try:
        endpoint = Endpoint(url)
        env = base_env(url)
        with tempfile.TemporaryDirectory(prefix="aews-eks-bench-") as tmp:
            public_key = demo.throwaway_key(tmp)
            definition = demo.seed_definition(tmp, public_key)
            seed = yaml.safe_load(Path(definition).read_text())["aews_eks_cluster"]
            results, resources, outputs = side_by_side(endpoint, env, definition, public_key, options.trials, log_dir)
            data["results"] = results
            data["resources"] = resources
            data["rows"] = report.side_by_side(results)
            data["hot_spots"] = report.profile_tasks(outputs[("aews", "noop")])
            data["aws_like"] = aws_like(endpoint, env, definition, seed, log_dir)
            data["fleets"] = fleets(endpoint, env, counts, public_key, tmp, log_dir)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    output = Path(options.output)
    output.mkdir(parents=True, exist_ok=True)
    (log_dir.parent / "bench.json").write_text(json.dumps(data, indent=1, default=str))
    (output / "benchmarks.md").write_text(page(data))
    readme = ROOT / "README.md"
    if options.output == str(ROOT / "docs") and readme.exists():
        resources = {stack: sum(kinds.values()) for stack, kinds in data["resources"].items()}
        table = f"Measured {data['date']} ({data['machine']['cpus']} CPUs), median of {data['trials']} trials:\n\n"
        table += report.side_by_side_table(data["rows"], resources)
        readme.write_text(
            report.replace_between(readme.read_text(), "<!-- bench:start -->", "<!-- bench:end -->", table)
        )
    fleet = report.fleet_rows(data["fleets"])
    report.plot(output / "benchmarks.png", data["rows"], data["aws_like"]["rows"], fleet)
    print("\n" + page(data), flush=True)
    print(f"written: {output / 'benchmarks.md'}, {output / 'benchmarks.png'}, {log_dir.parent / 'bench.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
