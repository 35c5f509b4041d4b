"""site.yml and playbooks/teardown.yml run as ansible-playbook against the local AWS endpoint with the seed."""

from __future__ import annotations

import base64
import ipaddress
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import boto3
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
OWNER = "aews.eks/cluster-name"
RECAP = re.compile(r"^\S+\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


def playbook(local_aws, playbook_path, *args, deprecations=False):
    """``deprecations``: ansible-playbook prints deprecation warnings (as it does by default)."""
    env = dict(
        os.environ,
        AWS_ENDPOINT_URL=local_aws.url,
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        ANSIBLE_DEPRECATION_WARNINGS="true" if deprecations else "false",
        ANSIBLE_NOCOLOR="1",
    )
    command = [str(BIN / "ansible-playbook"), str(playbook_path), "-e", "aews_eks_poll_delay=1", *args]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    recap = RECAP.findall(result.stdout)
    changed = int(recap[-1][1]) if recap else None
    return result, changed


def ec2():
    return boto3.client("ec2")


# The rules of a cluster the run creates are added by the run of the wait that sees it ACTIVE.
RULES_TASK = "Create | Wait for the cluster to be ACTIVE"
TASK_RESULT = re.compile(r"^(ok|changed|skipping|failed|fatal|included): ")


def task_status(stdout, task):
    """The status (ok, changed, skipping ...) the first result line after the header of ``task`` gives."""
    lines = stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("TASK [") and f": {task}]" in line)
    return next(m.group(1) for line in lines[header + 1 :] if (m := TASK_RESULT.match(line)))


def ingress_from(group_id):
    """A group's ingress rules from other groups: (protocol, source group, description)."""
    group = ec2().describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    return [(p["IpProtocol"], pair["GroupId"], pair.get("Description")) for p in group["IpPermissions"]
            for pair in p["UserIdGroupPairs"]]  # fmt: skip


def owned(name):
    return [{"Name": f"tag:{OWNER}", "Values": [name]}]


def test_site_creates_converges_and_tears_down(local_aws, seed):
    path, definition = seed
    name = definition["name"]

    result, changed = playbook(local_aws, ROOT / "site.yml", "-e", f"@{path}", deprecations=True)
    assert result.returncode == 0, result.stdout[-3000:]
    assert changed and changed > 0
    # A clean first run says nothing to worry a new user: no deprecation, and no warning but the definition's own
    # security advice on the seed (its API endpoint and SSH are open to the world).
    output = result.stdout + result.stderr
    assert "[DEPRECATION WARNING]" not in output, output[output.find("[DEPRECATION WARNING]") :][:2000]
    advice = ("API endpoint is public to the whole internet", "SSH (tcp/22) to the nodes is open to the world")
    warnings = re.findall(r"\[WARNING\]: (.*)", output)
    assert [w for w in warnings if not any(a in w for a in advice)] == [], warnings

    # The eksctl split: four /19s, public then private, ELB role tags, the ownership tag on each.
    subnets = ec2().describe_subnets(Filters=owned(name))["Subnets"]
    by_cidr = {s["CidrBlock"]: s for s in subnets}
    assert sorted(by_cidr) == ["172.20.0.0/19", "172.20.32.0/19", "172.20.64.0/19", "172.20.96.0/19"]
    tags = {c: {t["Key"]: t["Value"] for t in s["Tags"]} for c, s in by_cidr.items()}
    assert tags["172.20.0.0/19"]["kubernetes.io/role/elb"] == "1"
    assert by_cidr["172.20.0.0/19"]["AvailabilityZone"] == "ap-northeast-2a"
    assert by_cidr["172.20.32.0/19"]["AvailabilityZone"] == "ap-northeast-2c"
    assert by_cidr["172.20.0.0/19"]["MapPublicIpOnLaunch"] is True
    assert tags["172.20.64.0/19"]["kubernetes.io/role/internal-elb"] == "1"
    assert all("Name" in t for t in tags.values())
    assert (
        len(
            ec2().describe_nat_gateways(Filters=owned(name) + [{"Name": "state", "Values": ["available"]}])[
                "NatGateways"
            ]
        )
        == 1
    )

    eks = boto3.client("eks")
    cluster = eks.describe_cluster(name=name)["cluster"]
    assert cluster["status"] == "ACTIVE" and cluster["version"] == "1.33"
    assert cluster["tags"][OWNER] == name
    nodegroup = eks.describe_nodegroup(clusterName=name, nodegroupName="mynodegroup")["nodegroup"]
    assert nodegroup["status"] == "ACTIVE"
    assert nodegroup["scalingConfig"] == {"minSize": 2, "maxSize": 2, "desiredSize": 2}
    assert nodegroup["amiType"] == "AL2023_x86_64_STANDARD"
    template = ec2().describe_launch_template_versions(
        LaunchTemplateId=nodegroup["launchTemplate"]["id"], Versions=[str(nodegroup["launchTemplate"]["version"])]
    )["LaunchTemplateVersions"][0]["LaunchTemplateData"]
    assert template["BlockDeviceMappings"][0]["Ebs"] == {
        "DeleteOnTermination": True, "Iops": 3000, "Throughput": 125, "VolumeSize": 30, "VolumeType": "gp3",
    }  # fmt: skip
    assert template["MetadataOptions"]["HttpTokens"] == "optional"  # the seed turns disable_imdsv1 off
    assert template["KeyName"] == f"{name}-mynodegroup"
    assert sorted(eks.list_addons(clusterName=name)["addons"]) == ["coredns", "kube-proxy", "metrics-server", "vpc-cni"]
    assert "Cluster myeks in ap-northeast-2: ACTIVE, Kubernetes 1.33" in result.stdout
    assert "Nodegroup mynodegroup: ACTIVE, t3.medium, min/desired/max 2/2/2" in result.stdout
    # The cluster security group and the shared node group let all traffic in from each other (eksctl's rules):
    # added after the wait for the cluster this run created, by the task of their own.
    cluster_sg = cluster["resourcesVpcConfig"]["clusterSecurityGroupId"]
    shared = ec2().describe_security_groups(
        Filters=owned(name) + [{"Name": "group-name", "Values": [f"{name}-shared-nodes"]}]
    )["SecurityGroups"][0]["GroupId"]
    assert ("-1", cluster_sg, "From the EKS cluster security group") in ingress_from(shared)
    assert ("-1", shared, "From the shared node security group") in ingress_from(cluster_sg)
    assert task_status(result.stdout, RULES_TASK) == "changed"

    result, changed = playbook(local_aws, ROOT / "site.yml", "-e", f"@{path}")
    assert result.returncode == 0, result.stdout[-3000:]
    assert changed == 0, [line for line in result.stdout.splitlines() if line.startswith("changed")]
    # On a re-run the cluster task settles the rules (and finds the cluster ACTIVE): the wait does not run.
    assert task_status(result.stdout, RULES_TASK) == "skipping"
    assert task_status(result.stdout, "Create | EKS cluster") == "ok"

    # A VPC the cluster does not own, with a subnet: teardown leaves it alone.
    other = ec2().create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    ec2().create_subnet(VpcId=other, CidrBlock="10.42.1.0/24")

    # Subnets that cannot go yet (network interfaces left behind): retried, then reported by name.
    local_aws.faults(
        fail_next=[
            {"operation": "ec2:DeleteSubnet", "count": 1000, "error": {"code": "DependencyViolation", "status": 400}}
        ]
    )
    retries = ("-e", "aews_eks_delete_retries=1", "-e", "aews_eks_delete_delay=0")
    result, changed = playbook(local_aws, ROOT / "playbooks" / "teardown.yml", "-e", f"@{path}", *retries)
    assert result.returncode != 0
    assert "could not be deleted" in result.stdout
    for zone in ("ap-northeast-2a", "ap-northeast-2c"):
        assert f"{name}-public-{zone}" in result.stdout and f"{name}-private-{zone}" in result.stdout
    assert eks.list_clusters()["clusters"] == []  # what could go before the subnets went
    local_aws.faults()

    result, changed = playbook(local_aws, ROOT / "playbooks" / "teardown.yml", "-e", f"@{path}", *retries)
    assert result.returncode == 0, result.stdout[-3000:]
    assert changed and changed > 0
    assert eks.list_clusters()["clusters"] == []
    for describe, key in [
        ("describe_vpcs", "Vpcs"),
        ("describe_subnets", "Subnets"),
        ("describe_security_groups", "SecurityGroups"),
        ("describe_internet_gateways", "InternetGateways"),
        ("describe_route_tables", "RouteTables"),
        ("describe_addresses", "Addresses"),
        ("describe_key_pairs", "KeyPairs"),
        ("describe_launch_templates", "LaunchTemplates"),
    ]:
        assert getattr(ec2(), describe)(Filters=owned(name))[key] == [], describe
    nats = ec2().describe_nat_gateways(Filters=owned(name))["NatGateways"]
    assert all(n["State"] in ("deleted", "deleting") for n in nats)
    roles = [r["RoleName"] for r in boto3.client("iam").list_roles()["Roles"]]
    assert not [r for r in roles if r.startswith(f"{name}-")]
    assert ec2().describe_vpcs(VpcIds=[other])["Vpcs"][0]["VpcId"] == other
    assert len(ec2().describe_subnets(Filters=[{"Name": "vpc-id", "Values": [other]}])["Subnets"]) == 1


def test_check_mode_on_a_fresh_endpoint_creates_nothing(local_aws, seed):
    path, definition = seed
    local_aws.clear_requests()
    result, changed = playbook(local_aws, ROOT / "site.yml", "-e", f"@{path}", "--check")
    assert result.returncode == 0, result.stdout[-3000:]
    assert changed and changed > 0
    assert local_aws.requests(mutating=True) == []
    assert local_aws.requests(mutating=False)  # it did look
    assert ec2().describe_vpcs(Filters=owned(definition["name"]))["Vpcs"] == []
    assert boto3.client("eks").list_clusters()["clusters"] == []
    assert "Cluster myeks in ap-northeast-2: to be created" in result.stdout


@pytest.mark.parametrize(
    "change, field",
    [
        # A cross-field check of the definition filter (every such check: tests/unit/plugins/filter).
        ({"nodegroups": [{"name": "ng", "min_size": 3, "desired_size": 2, "max_size": 4}]}, "nodegroups[0]"),
        # A choice, named with its path (the filter checks what the role argument spec no longer details).
        ({"vpc": {"nat": "sometimes"}}, "nat"),
    ],
)  # fmt: skip
def test_bad_definition_fails_before_any_aws_call(local_aws, tmp_path, change, field):
    definition = {
        "name": "bad",
        "region": "ap-northeast-2",
        "vpc": {"availability_zones": ["ap-northeast-2a", "ap-northeast-2c"]},
    }
    for key, value in change.items():
        definition[key] = {**definition.get(key, {}), **value} if isinstance(value, dict) else value
    path = tmp_path / "bad.yml"
    path.write_text(json.dumps({"aews_eks_cluster": definition}))
    local_aws.clear_requests()
    result, _changed = playbook(local_aws, ROOT / "site.yml", "-e", f"@{path}")
    assert result.returncode != 0
    assert field in result.stdout + result.stderr
    assert local_aws.requests() == []


def test_subnets_of_the_seed_are_eksctls():
    from ansible_collections.aews.eks.plugins.module_utils._eks.definition.vpc import split

    assert split("172.20.0.0/16", ["ap-northeast-2a", "ap-northeast-2c"]) == {
        "public": {"ap-northeast-2a": "172.20.0.0/19", "ap-northeast-2c": "172.20.32.0/19"},
        "private": {"ap-northeast-2a": "172.20.64.0/19", "ap-northeast-2c": "172.20.96.0/19"},
    }
    subnets = split("10.0.0.0/16", [f"z{i}" for i in range(5)])
    blocks = [ipaddress.ip_network(c) for c in list(subnets["public"].values()) + list(subnets["private"].values())]
    assert {b.prefixlen for b in blocks} == {20}


def test_nodegroup_pod_capacity_is_reported_and_small_subnets_warned(local_aws, seed, tmp_path, monkeypatch):
    _path, definition = seed
    # One JSON line per result: the messages are read as written, not as YAML folds them.
    monkeypatch.setenv("ANSIBLE_CALLBACK_RESULT_FORMAT", "json")
    definition["vpc"] = {
        "cidr": "10.40.0.0/24",
        "availability_zones": ["ap-northeast-2a", "ap-northeast-2c"],
        "nat": "single",
        "subnets": {
            "public": {"ap-northeast-2a": "10.40.0.0/28", "ap-northeast-2c": "10.40.0.16/28"},
            "private": {"ap-northeast-2a": "10.40.0.32/28", "ap-northeast-2c": "10.40.0.48/28"},
        },
    }
    definition["nodegroups"][0].update(min_size=1, desired_size=1, max_size=10)
    small = tmp_path / "small.yml"
    small.write_text(yaml.safe_dump({"aews_eks_cluster": definition}))

    result, _changed = playbook(local_aws, ROOT / "site.yml", "-e", f"@{small}")

    assert result.returncode == 0, result.stdout[-3000:]
    output = result.stdout
    assert (
        "Nodegroup mynodegroup: up to 17 pods per t3.medium node (prefix delegation off), 170 at its max size of 10."
        in output
    )
    # Two /28 public subnets hold 2 x 11 free addresses, less the NAT gateway's one; ten full t3.medium nodes
    # take 3 ENIs x 6 addresses each.
    assert (
        "WARNING: the subnets have 21 free IPv4 addresses but 10 t3.medium nodes with 17 pods each need 180 (18 per node)"
        in output
    )


def test_check_mode_predicts_new_launch_templates_and_versions_then_bottlerocket_max_pods(local_aws, seed, tmp_path):
    path, definition = seed
    name = definition["name"]
    result, _changed = playbook(local_aws, ROOT / "site.yml", "-e", f"@{path}")
    assert result.returncode == 0, result.stdout[-3000:]
    eks = boto3.client("eks")
    before = eks.describe_nodegroup(clusterName=name, nodegroupName="mynodegroup")["nodegroup"]["launchTemplate"]

    # A bigger root volume for the seed's nodegroup (a new launch template version, nodes replaced) and a new
    # Bottlerocket nodegroup with max pods (a new launch template).
    definition["nodegroups"][0]["volume"]["size"] = 40
    definition["nodegroups"].append(
        {"name": "bottle", "ami_family": "Bottlerocket", "instance_types": ["t3.large"], "min_size": 1,
         "desired_size": 1, "max_size": 1, "max_pods": 30}
    )  # fmt: skip
    changed_path = tmp_path / "changed.yml"
    changed_path.write_text(yaml.safe_dump({"aews_eks_cluster": definition}))

    local_aws.clear_requests()
    result, changed = playbook(local_aws, ROOT / "site.yml", "-e", f"@{changed_path}", "--check")
    assert result.returncode == 0, result.stdout[-3000:]
    assert local_aws.requests(mutating=True) == []
    assert changed and changed > 0
    output = " ".join(result.stdout.split())
    assert f"Would create nodegroup bottle with its new launch template {name}-bottle" in output
    assert (
        f"Would update nodegroup mynodegroup to version {int(before['version']) + 1} of its launch template "
        f"{name}-mynodegroup, replacing its nodes" in output
    )
    assert eks.list_nodegroups(clusterName=name)["nodegroups"] == ["mynodegroup"]

    result, changed = playbook(local_aws, ROOT / "site.yml", "-e", f"@{changed_path}")
    assert result.returncode == 0, result.stdout[-3000:]
    seed_ng = eks.describe_nodegroup(clusterName=name, nodegroupName="mynodegroup")["nodegroup"]
    assert seed_ng["launchTemplate"]["version"] == str(int(before["version"]) + 1)
    data = ec2().describe_launch_template_versions(
        LaunchTemplateId=seed_ng["launchTemplate"]["id"], Versions=[seed_ng["launchTemplate"]["version"]]
    )["LaunchTemplateVersions"][0]["LaunchTemplateData"]
    assert data["BlockDeviceMappings"][0]["Ebs"]["VolumeSize"] == 40
    bottle = eks.describe_nodegroup(clusterName=name, nodegroupName="bottle")["nodegroup"]
    assert bottle["amiType"] == "BOTTLEROCKET_x86_64" and bottle["status"] == "ACTIVE"
    data = ec2().describe_launch_template_versions(
        LaunchTemplateId=bottle["launchTemplate"]["id"], Versions=[bottle["launchTemplate"]["version"]]
    )["LaunchTemplateVersions"][0]["LaunchTemplateData"]
    assert tomllib.loads(base64.b64decode(data["UserData"]).decode()) == {"settings": {"kubernetes": {"max-pods": 30}}}

    result, changed = playbook(local_aws, ROOT / "site.yml", "-e", f"@{changed_path}")
    assert result.returncode == 0, result.stdout[-3000:]
    assert changed == 0, [line for line in result.stdout.splitlines() if line.startswith("changed")]
