"""Check mode and drift on the seed cluster (with a tag and a pinned, configured vpc-cni):

- on an empty account --check makes no mutating call and predicts, task by task, the changes the real run then
  makes; on the converged cluster it predicts none;
- changes made behind the collection's back (boto3) are each reported by --check --diff with before and after, and
  the next run repairs them all.

One test, so that the drift starts from the cluster the check-mode comparison has just converged."""

from __future__ import annotations

import json
import re
import time

import boto3
import pytest
from reliability_kit import SITE
from reliability_kit import report
from reliability_kit import inventory
from reliability_kit import run
from reliability_kit import seed

# Tasks whose result can only exist once an earlier task of the same run has created something: in check mode
# nothing was created, so they are skipped (or have nothing to act on) and their change shows in the prediction
# of the task that creates what they act on.
FOLLOW_UPS = {
    # The cluster security group is made by EKS with the cluster; its rules are predicted with the cluster and added
    # by the wait's run that sees the cluster ACTIVE (the wait does not run in check mode).
    "aews.eks.cluster : Create | Wait for the cluster to be ACTIVE":
        "the cluster security group exists only once EKS has created the cluster",
}  # fmt: skip


# Tasks that stand in, in check mode, for a create that needs a cluster not yet created: their message names what
# the real task creates (its loop items' first word).
STAND_INS = {
    "aews.eks.addons : Create | Predict the add-ons of a cluster still to be created":
        ("aews.eks.addons : Create | Add-ons (waited for below, together)", re.compile(r"Would install (.+) once ")),
    "aews.eks.nodegroup : Create | Predict the nodegroups of a cluster still to be created":
        ("aews.eks.nodegroup : Create | Nodegroups", re.compile(r"Would create nodegroups (.+) once ")),
}  # fmt: skip


TARGETS = {real for real, _names in STAND_INS.values()}


def changes(result):
    """{task: set of changed loop items, or {None} for a task without a loop} of a run; the
    check-mode stand-ins counted as the task they stand in for, with the items their message names."""
    found = {}
    for event in result.events:
        if event.get("status") != "changed":
            continue
        task = event["task"]
        if event["event"] == "item":
            item = str(event["item"])
            # The real add-on and nodegroup tasks' items are named by their first word, as the stand-ins name them.
            found.setdefault(task, set()).add(item.split()[0] if task in TARGETS else item)
        elif event["event"] == "result" and task in TARGETS and event.get("changes"):
            # A real task that makes several in one run (eks_addons): its change records name them ("addon vpc-cni").
            found.setdefault(task, set()).update(c["resource"].split()[-1] for c in event["changes"])
        elif event["event"] == "result" and task in STAND_INS:
            real, names = STAND_INS[task]
            found.setdefault(real, set()).update(names.search(event["msg"]).group(1).split(", "))
        elif event["event"] == "result":
            found.setdefault(task, set())
    return {task: items or {None} for task, items in found.items()}


NAME = "myeks"
TAGS = {"team": "platform"}
CNI_CONFIG = {"env": {"WARM_IP_TARGET": "4"}}
CNI_LATEST = "v1.20.4-eksbuild.2"  # the newest vpc-cni for Kubernetes 1.33 (tests/local_aws/catalogue.py)
CNI_OLDER = "v1.19.6-eksbuild.7"
CLUSTER_ROLE = f"{NAME}-cluster-role"
NODE_ROLE = f"{NAME}-mynodegroup-node-role"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def ec2():
    return boto3.client("ec2")


def eks():
    return boto3.client("eks")


def tag(resource, key):
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}.get(key)


def by_name(describe, key, name):
    return getattr(ec2(), describe)(Filters=[{"Name": "tag:Name", "Values": [name]}])[key][0]


def wait(check, what, timeout=60):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"{what} did not settle"
        time.sleep(0.2)


def cluster():
    return eks().describe_cluster(name=NAME)["cluster"]


def nodegroup():
    return eks().describe_nodegroup(clusterName=NAME, nodegroupName="mynodegroup")["nodegroup"]


def addon():
    return eks().describe_addon(clusterName=NAME, addonName="vpc-cni")["addon"]


def cluster_idle():
    return cluster()["status"] == "ACTIVE" and not any(
        eks().describe_update(name=NAME, updateId=u)["update"]["status"] == "InProgress"
        for u in eks().list_updates(name=NAME)["updateIds"]
    )


def shared_nodes_self_rule(group):
    return [
        p for p in group["IpPermissions"]
        if p["IpProtocol"] == "-1" and any(g["GroupId"] == group["GroupId"] for g in p.get("UserIdGroupPairs", []))
    ]  # fmt: skip


def private_default_route():
    table = by_name("describe_route_tables", "RouteTables", f"{NAME}-private-ap-northeast-2a")
    return table["RouteTableId"], next(r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0")


# ---------------------------------------------------------------- the drifts
def drift_scaling():
    eks().update_nodegroup_config(
        clusterName=NAME, nodegroupName="mynodegroup", scalingConfig={"minSize": 1, "maxSize": 3, "desiredSize": 1}
    )
    wait(lambda: nodegroup()["status"] == "ACTIVE" and nodegroup()["scalingConfig"]["maxSize"] == 3, "scaling")


def drift_label():
    eks().update_nodegroup_config(
        clusterName=NAME, nodegroupName="mynodegroup",
        labels={"addOrUpdateLabels": {"alpha.eksctl.io/nodegroup-name": "drifted"}},
    )  # fmt: skip
    wait(lambda: nodegroup()["labels"]["alpha.eksctl.io/nodegroup-name"] == "drifted", "label")
    wait(lambda: nodegroup()["status"] == "ACTIVE", "nodegroup")


def drift_vpc_tag():
    vpc = by_name("describe_vpcs", "Vpcs", f"{NAME}-vpc")
    ec2().create_tags(Resources=[vpc["VpcId"]], Tags=[{"Key": "team", "Value": "drifted"}])


def drift_cluster_tag():
    eks().tag_resource(resourceArn=cluster()["arn"], tags={"team": "drifted"})


def drift_logging():
    eks().update_cluster_config(name=NAME, logging={"clusterLogging": [{"types": ["api"], "enabled": True}]})
    wait(cluster_idle, "logging update")


def drift_public_access_cidrs():
    eks().update_cluster_config(name=NAME, resourcesVpcConfig={"publicAccessCidrs": ["203.0.113.0/24"]})
    wait(cluster_idle, "endpoint update")


def drift_addon():
    """vpc-cni reinstalled at an older version with other configuration values (EKS refuses downgrades)."""
    eks().delete_addon(clusterName=NAME, addonName="vpc-cni")
    wait(lambda: "vpc-cni" not in eks().list_addons(clusterName=NAME)["addons"], "add-on deletion")
    eks().create_addon(
        clusterName=NAME, addonName="vpc-cni", addonVersion=CNI_OLDER,
        configurationValues=json.dumps({"env": {"WARM_IP_TARGET": "8"}}),
    )  # fmt: skip
    wait(lambda: addon()["status"] == "ACTIVE", "add-on creation")


def drift_route():
    table_id, _route = private_default_route()
    igw = by_name("describe_internet_gateways", "InternetGateways", f"{NAME}-igw")
    ec2().replace_route(RouteTableId=table_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw["InternetGatewayId"])


def drift_security_group_rule():
    group = by_name("describe_security_groups", "SecurityGroups", f"{NAME}-shared-nodes")
    ec2().revoke_security_group_ingress(GroupId=group["GroupId"], IpPermissions=shared_nodes_self_rule(group))


def drift_subnet_tag():
    subnet = by_name("describe_subnets", "Subnets", f"{NAME}-public-ap-northeast-2a")
    ec2().delete_tags(Resources=[subnet["SubnetId"]], Tags=[{"Key": "kubernetes.io/role/elb"}])


def drift_node_role_policy():
    boto3.client("iam").attach_role_policy(RoleName=NODE_ROLE, PolicyArn=READ_ONLY)


def drift_cluster_role_trust():
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
             "Principal": {"Service": ["eks.amazonaws.com", "ec2.amazonaws.com"]}}]}  # fmt: skip
    boto3.client("iam").update_assume_role_policy(RoleName=CLUSTER_ROLE, PolicyDocument=json.dumps(trust))


# ---------------------------------------------------------------- AWS repaired
def repaired_scaling():
    assert nodegroup()["scalingConfig"] == {"minSize": 2, "maxSize": 2, "desiredSize": 2}


def repaired_label():
    assert nodegroup()["labels"]["alpha.eksctl.io/nodegroup-name"] == "mynodegroup"


def repaired_vpc_tag():
    assert tag(by_name("describe_vpcs", "Vpcs", f"{NAME}-vpc"), "team") == "platform"


def repaired_cluster_tag():
    assert cluster()["tags"]["team"] == "platform"


def repaired_logging():
    assert not any(s["enabled"] for s in cluster()["logging"]["clusterLogging"] if s["types"])


def repaired_public_access_cidrs():
    assert cluster()["resourcesVpcConfig"]["publicAccessCidrs"] == ["0.0.0.0/0"]


def repaired_addon():
    assert addon()["addonVersion"] == CNI_LATEST
    assert json.loads(addon()["configurationValues"]) == CNI_CONFIG


def repaired_route():
    _table, route = private_default_route()
    assert route.get("NatGatewayId", "").startswith("nat-"), route


def repaired_security_group_rule():
    assert shared_nodes_self_rule(by_name("describe_security_groups", "SecurityGroups", f"{NAME}-shared-nodes"))


def repaired_node_role_policy():
    attached = boto3.client("iam").list_attached_role_policies(RoleName=NODE_ROLE)["AttachedPolicies"]
    assert READ_ONLY not in [p["PolicyArn"] for p in attached]


def repaired_cluster_role_trust():
    trust = boto3.client("iam").get_role(RoleName=CLUSTER_ROLE)["Role"]["AssumeRolePolicyDocument"]
    assert [s["Principal"]["Service"] for s in trust["Statement"]] == ["eks.amazonaws.com"], trust


def repaired_subnet_tag():
    subnet = by_name("describe_subnets", "Subnets", f"{NAME}-public-ap-northeast-2a")
    assert tag(subnet, "kubernetes.io/role/elb") == "1"


# name, the drift, the task that reports it (its item contains the text), what its diff shows before -> after,
# the check that AWS is repaired
DRIFTS = [
    ("nodegroup scaling", drift_scaling, "Create | Nodegroups", "mynodegroup", '"max_size": 3', '"max_size": 2',
     repaired_scaling),
    ("nodegroup label", drift_label, "Create | Nodegroups", "mynodegroup", '"drifted"', '"mynodegroup"',
     repaired_label),
    ("VPC tag", drift_vpc_tag, "Create | VPC", None, '"drifted"', '"platform"', repaired_vpc_tag),
    ("cluster tag", drift_cluster_tag, "Create | EKS cluster", None, '"drifted"', '"platform"', repaired_cluster_tag),
    ("cluster logging", drift_logging, "Create | EKS cluster", None, '"api"', "", repaired_logging),
    ("public access CIDRs", drift_public_access_cidrs, "Create | EKS cluster", None, "203.0.113.0/24", "0.0.0.0/0",
     repaired_public_access_cidrs),
    ("add-on version and configuration", drift_addon, "Create | Add-ons (waited for below, together)", "vpc-cni",
     CNI_OLDER, CNI_LATEST, repaired_addon),
    ("private route", drift_route, "Create | VPC", None, "igw-", "nat-", repaired_route),
    ("security group rule", drift_security_group_rule, "Create | VPC", None,
     '"ingress": []', '"ingress": [{"description": "Nodes to nodes"', repaired_security_group_rule),
    ("deleted subnet tag", drift_subnet_tag, "Create | VPC", None, "",
     f'"Name": "{NAME}-public-ap-northeast-2a", "aews.eks/cluster-name": "{NAME}", "kubernetes.io/role/elb": "1"',
     repaired_subnet_tag),
    ("node role policy", drift_node_role_policy, "Create | Cluster IAM role", NODE_ROLE, READ_ONLY, "",
     repaired_node_role_policy),
    ("cluster role trust", drift_cluster_role_trust, "Create | Cluster IAM role", None, '"ec2.amazonaws.com"', "",
     repaired_cluster_role_trust),
]  # fmt: skip


def reported(result, task, item):
    """The changed results of ``task`` (those of its loop items containing ``item``, or, for a task that makes
    several in one run, its result whose change records name ``item``)."""

    def names(event):
        if item is None:
            return event["event"] == "result"
        if event["event"] == "item":
            return item in str(event.get("item"))
        return any(item in str(c.get("resource")) for c in event.get("changes") or [] if isinstance(c, dict))

    return [
        e for e in result.events
        if e["event"] in ("result", "item") and e["status"] == "changed" and e["task"].split(" : ")[-1] == task
        and names(e)
    ]  # fmt: skip


# make test-reliability (-n 2 --dist loadgroup): the interruption test on one worker, the others on the other.
@pytest.mark.xdist_group("site-runs")
def test_check_mode_predicts_the_real_run_then_drift_is_reported_and_repaired(local_aws, tmp_path):
    path, _definition = seed(
        tmp_path,
        tags=TAGS,
        addons=[{"name": "vpc-cni", "version": "latest", "configuration_values": CNI_CONFIG}, {"name": "kube-proxy"},
                {"name": "coredns"}, {"name": "metrics-server"}],
    )  # fmt: skip

    # ---- check mode on an empty account, then the real run
    local_aws.clear_requests()
    checked = run(local_aws, tmp_path, SITE, "-e", f"@{path}", "--check")
    assert checked.returncode == 0, checked.tail()
    assert [f"{r['service']}:{r['operation']}" for r in local_aws.requests(mutating=True)] == []
    reads = local_aws.requests(mutating=False)
    assert reads, "check mode looked at nothing"
    assert all(v == [] for v in inventory().values())

    applied = run(local_aws, tmp_path, SITE, "-e", f"@{path}")
    assert applied.returncode == 0, applied.tail()

    predicted, made = changes(checked), changes(applied)
    # Every change check mode predicted was made, item by item ...
    assert {t: i for t, i in predicted.items() if made.get(t) != i} == {}
    # ... and every change made was predicted, but for the follow-ups of a create.
    unpredicted = {t: i for t, i in made.items() if predicted.get(t) != i}
    assert set(unpredicted) == set(FOLLOW_UPS), unpredicted

    local_aws.clear_requests()
    converged = run(local_aws, tmp_path, SITE, "-e", f"@{path}", "--check")
    assert converged.returncode == 0, converged.tail()
    assert converged.changed == 0, changes(converged)
    assert local_aws.requests(mutating=True) == []
    report(
        f"check mode: {checked.changed} changes predicted on an empty account, {len(reads)} reads, 0 mutating calls;"
        f" real run changed={applied.changed} ({len(FOLLOW_UPS)} follow-ups of creates); converged --check"
        f" changed={converged.changed}"
    )

    # ---- drift
    for _name, _drift, _task, _item, _before, _after, repaired in DRIFTS:
        repaired()  # the definition's state, before the drift

    for _name, drift, *_rest in DRIFTS:
        drift()

    local_aws.clear_requests()
    checked = run(local_aws, tmp_path, SITE, "-e", f"@{path}", "--check", "--diff")
    assert checked.returncode == 0, checked.tail()
    assert local_aws.requests(mutating=True) == []
    without_diff = []
    for name, _drift, task, item, before, after, _repaired in DRIFTS:
        events = reported(checked, task, item)
        assert events, f"{name}: --check does not report it ({task})"
        # A diff is a dict, or a list of them (amazon.aws modules).
        diffs = [d for e in events for d in (e.get("diff") if isinstance(e.get("diff"), list) else [e.get("diff")])]
        diffs = [d for d in diffs if isinstance(d, dict) and "before" in d and "after" in d]
        if not diffs:
            without_diff.append(f"{name} ({task})")
            continue
        shown = [(json.dumps(d["before"], sort_keys=True), json.dumps(d["after"], sort_keys=True)) for d in diffs]
        assert any(
            b != a and before in b and after in a and (before or after not in b) for b, a in shown
        ), f"{name}: {shown}"

    repair = run(local_aws, tmp_path, SITE, "-e", f"@{path}")
    assert repair.returncode == 0, repair.tail()
    for name, _drift, task, item, _before, _after, repaired in DRIFTS:
        assert reported(repair, task, item), f"{name}: not repaired by {task}"
        repaired()

    local_aws.clear_requests()
    again = run(local_aws, tmp_path, SITE, "-e", f"@{path}", "--check")
    assert again.returncode == 0, again.tail()
    assert again.changed == 0, again.changed_tasks()
    report(
        f"drift: {len(DRIFTS)} drifts, --check --diff changed={checked.changed}, repair changed={repair.changed},"
        f" then --check changed={again.changed}; without a before/after diff: {without_diff}"
    )
    # Every drift is shown with its before and after (the VPC's, subnets' and routes' by aews.eks.eks_vpc).
    assert without_diff == [], f"reported and repaired, but --diff shows no before/after for: {without_diff}"
