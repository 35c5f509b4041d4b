"""ansible-playbook killed (SIGKILL of its process group) at ten points of site.yml and three of the teardown: each
time the next run resumes, nothing is made twice, and the end state is the uninterrupted run's.

The kill points share work: the run that resumes after kill point N is the run killed at point N + 1, so each run
goes again through everything the killed ones did (finding it, not making it again) before it is stopped further
on; after each kill the account is checked for duplicates, after the last one the run goes to its end."""

from __future__ import annotations

import boto3
import pytest
from reliability_kit import EXPECTED
from reliability_kit import SITE
from reliability_kit import report
from reliability_kit import TEARDOWN
from reliability_kit import assert_nothing_left
from reliability_kit import Playbook
from reliability_kit import counts
from reliability_kit import duplicates
from reliability_kit import inventory
from reliability_kit import run
from reliability_kit import seed

# Transitions long enough to be killed in the middle of their wait (seconds).
DELAYS = {"cluster": 3, "nodegroup": 3, "addon": 2, "update": 1}
# The teardown's waits are in its one run of aews.eks.eks_cluster_cleanup: the nodegroups' after the add-ons' deletes,
# the cluster's after the nodegroups are gone. Deletes long enough that the kill still finds them under way and the
# resumed run finds them DELETING, however loaded the machine.
TEARDOWN_DELAYS = dict(DELAYS, cluster=30, nodegroup=15)
NAT_GATEWAY = {"create": 3, "delete": 3}

# (name, the point: task started, or an operation's wait under way in this run's request log)
SITE_POINTS = [
    ("after the definition", lambda w: w.started("Site | VPC")),
    # Inside the one run of aews.eks.eks_vpc: the NAT gateway just created (pending), its route tables not yet.
    ("in the VPC stage, the NAT gateway pending", lambda w: w.called("CreateRouteTable", after="CreateNatGateway") >= 1),
    ("after the VPC", lambda w: w.started("Site | Cluster, OIDC provider and IRSA roles")),
    ("waiting for the cluster", lambda w: w.called("DescribeCluster", after="CreateCluster") >= 1),
    ("after the cluster", lambda w: w.started("Site | Add-ons needed before nodes")),
    # The run resuming after the cluster finds it made: it creates every add-on in one run before the nodegroups
    # and is killed while it waits for them.
    ("waiting for the add-ons", lambda w: w.called("DescribeAddon", after="CreateAddon") >= 1),
    ("after the early add-ons", lambda w: w.started("Site | Nodegroups")),
    ("waiting for the nodegroup", lambda w: w.called("DescribeNodegroup", after="CreateNodegroup") >= 1),
    ("after the nodegroups", lambda w: w.started("Site | Other add-ons")),
    ("after the add-ons", lambda w: w.started("Site | Summary")),
]
TEARDOWN_POINTS = [
    ("waiting for the nodegroup deletion", lambda w: w.called("DescribeNodegroup", after="DeleteNodegroup") >= 1),
    ("waiting for the cluster deletion", lambda w: w.called("DescribeCluster", after="DeleteCluster") >= 1),
    ("waiting for the NAT gateway deletion", lambda w: w.called("DescribeNatGateways", after="DeleteNatGateway") >= 1),
]


def transitions():
    """What was under way when the run was killed: the states of the resources the waits follow."""
    ec2, eks = boto3.client("ec2"), boto3.client("eks")
    states = [f"NAT gateway {n['State']}" for n in ec2.describe_nat_gateways()["NatGateways"]]
    for cluster in eks.list_clusters()["clusters"]:
        states.append(f"cluster {eks.describe_cluster(name=cluster)['cluster']['status']}")
        for name in eks.list_nodegroups(clusterName=cluster)["nodegroups"]:
            nodegroup = eks.describe_nodegroup(clusterName=cluster, nodegroupName=name)["nodegroup"]
            states.append(f"nodegroup {nodegroup['status']}")
        for name in eks.list_addons(clusterName=cluster)["addons"]:
            states.append(f"{name} {eks.describe_addon(clusterName=cluster, addonName=name)['addon']['status']}")
    return [s for s in states if not s.endswith(("ACTIVE", "available", "deleted"))]


def running(killed):
    """The task the run was in when killed."""
    return [e["task"] for e in killed.events if e["event"] == "start"][-1]


def no_more_than_expected(found):
    """Nothing twice, and no kind with more resources than the end state has (an untagged copy counts)."""
    assert duplicates(found) == {}
    over = {k: found[k] for k, n in counts(found).items() if n > len(EXPECTED[k])}
    assert over == {}


# make test-reliability (-n 2 --dist loadgroup): the interruption test on one worker, the others on the other.
@pytest.mark.xdist_group("interruption")
def test_killed_anywhere_site_and_teardown_resume_to_the_same_end_state(local_aws, tmp_path):
    path, definition = seed(tmp_path)
    name = definition["name"]
    local_aws.configure(delays=DELAYS)
    local_aws.realism(nat_gateway=NAT_GATEWAY)
    resumed = []

    for point_name, point in SITE_POINTS:
        killed = Playbook(local_aws, tmp_path, SITE, "-e", f"@{path}").kill_when(point)
        assert killed.killed
        under_way = transitions()
        found = inventory()
        no_more_than_expected(found)
        resumed.append((f"site.yml {point_name}", running(killed), under_way, sum(counts(found).values())))

    # The last kill point comes after every change: the run resuming from it has nothing left to do.
    final = run(local_aws, tmp_path, SITE, "-e", f"@{path}")
    assert final.returncode == 0, final.tail()
    assert inventory() == EXPECTED
    assert final.changed == 0, final.changed_tasks()

    local_aws.configure(delays=TEARDOWN_DELAYS)
    for point_name, point in TEARDOWN_POINTS:
        killed = Playbook(local_aws, tmp_path, TEARDOWN, "-e", f"@{path}").kill_when(point)
        assert killed.killed
        under_way = transitions()
        found = inventory()
        no_more_than_expected(found)
        resumed.append((f"teardown.yml {point_name}", running(killed), under_way, sum(counts(found).values())))

    teardown = run(local_aws, tmp_path, TEARDOWN, "-e", f"@{path}")
    assert teardown.returncode == 0, teardown.tail()
    again = run(local_aws, tmp_path, TEARDOWN, "-e", f"@{path}")
    assert again.returncode == 0, again.tail()
    assert again.changed == 0, again.changed_tasks()

    for point_name, task, under_way, left in resumed:
        report(
            f"interruption: killed {point_name}, in {task!r}, {under_way or 'nothing'} under way, {left} resources;"
            " resumed"
        )
    report(f"interruption: site.yml then changed={final.changed}; teardown changed={teardown.changed}, again changed=0")
    assert_nothing_left(name)
