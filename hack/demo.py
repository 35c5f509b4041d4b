#!/usr/bin/env python
"""make demo: the seed cluster against the local AWS endpoint, created, then converged again with no change.

The endpoint runs its realistic profile (IAM propagation, EC2 read-after-create lag, NAT gateway transitions,
quotas, each service's throttling code) with AWS's durations scaled by 1/60.

Starts the local endpoint on LOCAL_AWS_PORT (or a free port), runs site.yml with examples/seed-cluster.yml,
runs it again and fails unless the second PLAY RECAP says changed=0, lists what was built (read from the endpoint),
stops the endpoint and says what to do next: keep a cluster with make local-aws, --check --diff after an edit,
playbooks/teardown.yml, and using it on AWS.
The seed's SSH key (~/.ssh/id_rsa.pub) is replaced by a throwaway key made in a temporary directory.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEMO_SCALE = 1 / 60
RECAP = re.compile(r"^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def start_endpoint(port, log_path):
    env = dict(os.environ, MOTO_IAM_LOAD_MANAGED_POLICIES="true")
    log = open(log_path, "w")
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "local_aws" / "server.py"), "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 90
    while not port_open(port):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit(f"the local AWS endpoint did not start, see {log_path}")
        time.sleep(0.3)
    return process


def control(url, path, payload):
    request = urllib.request.Request(url + path, data=json.dumps(payload).encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read()
    except OSError:
        return None  # an endpoint without the controls still works, only slower


def throwaway_key(directory):
    key = Path(directory) / "id_demo"
    if shutil.which("ssh-keygen"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
        return key.with_suffix(".pub")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    public = ed25519.Ed25519PrivateKey.generate().public_key()
    text = public.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    pub = key.with_suffix(".pub")
    pub.write_text(text + " aews-eks-demo\n")
    return pub


def seed_definition(directory, public_key):
    import yaml

    data = yaml.safe_load((ROOT / "examples" / "seed-cluster.yml").read_text())
    for nodegroup in data["aews_eks_cluster"].get("nodegroups") or []:
        if (nodegroup.get("ssh") or {}).get("allow"):
            nodegroup["ssh"]["public_key_path"] = str(public_key)
    path = Path(directory) / "seed-cluster.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def cluster_name(definition):
    import yaml

    return yaml.safe_load(Path(definition).read_text())["aews_eks_cluster"]["name"]


def run_site(env, definition, title):
    print(f"\n=== {title}: ansible-playbook site.yml -e @examples/seed-cluster.yml", flush=True)
    command = [
        str(BIN / "ansible-playbook"),
        str(ROOT / "site.yml"),
        "-e",
        f"@{definition}",
        "-e",
        "aews_eks_poll_delay=1",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = []
    for line in process.stdout:
        output.append(line)
        sys.stdout.write(line)
        sys.stdout.flush()
    process.wait()
    text = "".join(output)
    recap = RECAP.findall(text)
    if process.returncode != 0 or not recap:
        raise SystemExit(f"{title}: site.yml failed (exit {process.returncode})")
    return {"changed": int(recap[-1][2]), "failed": int(recap[-1][4]), "output": text}


OWNER = "aews.eks/cluster-name"


def _name(tags, default):
    return next((t["Value"] for t in tags or [] if t["Key"] == "Name"), default)


def built(url, cluster):
    """What the demo built, by kind and name, read from the endpoint before it stops: [(kind, [names])]."""
    import boto3

    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="ap-northeast-2"
    )
    eks, ec2, iam = (session.client(s, endpoint_url=url) for s in ("eks", "ec2", "iam"))
    owned = [{"Name": f"tag:{OWNER}", "Values": [cluster]}]
    found = []
    described = eks.describe_cluster(name=cluster)["cluster"]
    found.append(("EKS cluster", [f"{cluster} (Kubernetes {described['version']}, {described['status']})"]))
    nodegroups = []
    for name in eks.list_nodegroups(clusterName=cluster)["nodegroups"]:
        ng = eks.describe_nodegroup(clusterName=cluster, nodegroupName=name)["nodegroup"]
        sizes = ng["scalingConfig"]
        nodegroups.append(f"{name} ({', '.join(ng.get('instanceTypes') or [])}, {sizes['desiredSize']} nodes)")
    found.append(("nodegroups", nodegroups))
    addons = []
    for name in eks.list_addons(clusterName=cluster)["addons"]:
        addons.append(f"{name} {eks.describe_addon(clusterName=cluster, addonName=name)['addon']['addonVersion']}")
    found.append(("add-ons", addons))
    for kind, call, key, id_key in (
        ("VPC", "describe_vpcs", "Vpcs", "VpcId"),
        ("subnets", "describe_subnets", "Subnets", "SubnetId"),
        ("internet gateway", "describe_internet_gateways", "InternetGateways", "InternetGatewayId"),
        ("NAT gateways", "describe_nat_gateways", "NatGateways", "NatGatewayId"),
        ("elastic IPs", "describe_addresses", "Addresses", "AllocationId"),
        ("route tables", "describe_route_tables", "RouteTables", "RouteTableId"),
        ("security groups", "describe_security_groups", "SecurityGroups", "GroupId"),
        ("launch templates", "describe_launch_templates", "LaunchTemplates", "LaunchTemplateName"),
        ("key pairs", "describe_key_pairs", "KeyPairs", "KeyName"),
    ):
        items = getattr(ec2, call)(Filters=owned)[key]
        found.append((kind, sorted(_name(item.get("Tags"), item[id_key]) for item in items)))
    roles = []
    for role in iam.list_roles()["Roles"]:
        tags = iam.list_role_tags(RoleName=role["RoleName"])["Tags"]
        if any(t["Key"] == OWNER and t["Value"] == cluster for t in tags):
            roles.append(role["RoleName"])
    found.append(("IAM roles", sorted(roles)))
    return [(kind, names) for kind, names in found if names]


NEXT_STEPS = """
=== Next steps
The local endpoint is gone, and everything above with it. To keep a cluster and try things on it:
  make local-aws                                    # terminal 1: the endpoint on 127.0.0.1:4566, until Ctrl-C
  export AWS_ENDPOINT_URL=http://127.0.0.1:4566 AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \\
         AWS_DEFAULT_REGION=ap-northeast-2 AEWS_EKS_WAIT_DELAY=0.5
  cp examples/seed-cluster.yml cluster.yml          # set nodegroups[0].ssh.public_key_path to a key you have
  .venv/bin/ansible-playbook site.yml -e @cluster.yml
After editing cluster.yml, see what would change before changing it (docs/cluster-definition.md says which keys
replace nodes):
  .venv/bin/ansible-playbook site.yml -e @cluster.yml --check --diff
Delete everything the cluster owns:
  .venv/bin/ansible-playbook playbooks/teardown.yml -e @cluster.yml
On AWS: the same commands without AWS_ENDPOINT_URL and the test credentials, with your profile or credentials
and the cluster's region (README.md, "Using it on AWS"); an eksctl ClusterConfig works as it is with
-e eksctl_config_file=cluster.yaml (docs/eksctl-migration.md); upgrades: playbooks/upgrade.yml (docs/upgrade.md).
"""


def main():
    port = int(os.environ.get("LOCAL_AWS_PORT") or 0)
    if not port or port_open(port):
        if port:
            print(f"port {port} is taken, using a free one", flush=True)
        port = free_port()
    url = f"http://127.0.0.1:{port}"
    output_dir = ROOT / "tests" / "output"
    output_dir.mkdir(parents=True, exist_ok=True)
    print(f"local AWS endpoint on {url}", flush=True)
    endpoint = start_endpoint(port, output_dir / f"demo-local-aws-{port}.log")
    try:
        with tempfile.TemporaryDirectory(prefix="aews-eks-demo-") as tmp:
            # AWS as it behaves (tests/local_aws/README.md, "profile": "realistic"): IAM propagation, EC2's
            # read-after-create lag, NAT gateways that take time, quotas, per-service throttling codes; AWS's own
            # durations (cluster 10 min, nodegroup 3 min, add-on 1 min, NAT gateway 2 min) scaled by 1/60 so the
            # demo takes a few minutes, not half an hour.
            control(
                url,
                "/_aews/config",
                {
                    "profile": "realistic",
                    "seed": 1,
                    "scale": DEMO_SCALE,
                    "delays": {"cluster": 600, "nodegroup": 180, "addon": 60, "update": 120},
                },
            )
            env = dict(
                os.environ,
                AWS_ACCESS_KEY_ID="testing",
                AWS_SECRET_ACCESS_KEY="testing",
                AWS_DEFAULT_REGION="ap-northeast-2",
                AWS_REGION="ap-northeast-2",
                AWS_ENDPOINT_URL=url,
                AEWS_EKS_WAIT_DELAY="0.5",
                ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
                PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            )
            env.pop("AWS_PROFILE", None)
            env.pop("AWS_SESSION_TOKEN", None)
            definition = seed_definition(tmp, throwaway_key(tmp))
            first = run_site(env, definition, "First run (create)")
            second = run_site(env, definition, "Second run (converge)")
            print("\n=== Result")
            print(f"first run: changed={first['changed']}; second run: changed={second['changed']}")
            if first["changed"] == 0:
                raise SystemExit("the first run changed nothing: the endpoint was not fresh")
            if second["changed"] != 0:
                raise SystemExit(f"the second run changed {second['changed']} things: site.yml is not idempotent")
            print("the second run made no change")
            # The summary's kubeconfig hint is for a cluster that goes with the endpoint: what was built instead.
            print("\n=== What was built (read from the local endpoint before it stops)")
            for kind, names in built(url, cluster_name(definition)):
                print(f"{kind}: {', '.join(names)}")
    finally:
        endpoint.terminate()
        try:
            endpoint.wait(timeout=10)
        except subprocess.TimeoutExpired:
            endpoint.kill()
        print("local AWS endpoint stopped", flush=True)
    print(NEXT_STEPS, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
