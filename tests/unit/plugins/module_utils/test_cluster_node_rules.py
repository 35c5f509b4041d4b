"""eks_cluster's node_security_group_id: the two ingress rules between the cluster security group and the shared node
security group, read, planned, predicted and added in the cluster's run through security_group_rules (fake AWS)."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.aews.eks.plugins.module_utils._eks import cluster as c
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError
from ansible_collections.aews.eks.plugins.module_utils._eks.vocabulary import pending

ROLE = "arn:aws:iam::123456789012:role/myeks-cluster"
NODES = "sg-0nodes"
CLUSTER_SG = "sg-0cluster"

CLUSTER = {
    "name": "myeks",
    "arn": "arn:aws:eks:ap-northeast-2:123456789012:cluster/myeks",
    "status": "ACTIVE",
    "version": "1.33",
    "roleArn": ROLE,
    "resourcesVpcConfig": {
        "vpcId": "vpc-1",
        "subnetIds": ["subnet-a", "subnet-b"],
        "securityGroupIds": [],
        "clusterSecurityGroupId": CLUSTER_SG,
        "endpointPublicAccess": True,
        "endpointPrivateAccess": False,
        "publicAccessCidrs": ["0.0.0.0/0"],
    },
    "tags": {"env": "study"},
}

FROM_CLUSTER = {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": CLUSTER_SG, "Description": "x"}]}
FROM_NODES = {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": NODES}]}


def group(group_id, *permissions):
    return {"GroupId": group_id, "GroupName": f"name-{group_id}", "VpcId": "vpc-1", "IpPermissions": list(permissions)}


class Module:
    def __init__(self, check_mode=False, diff=False, **params):
        self.check_mode = check_mode
        self._diff = diff
        self.params = dict(
            name="myeks", state="present", wait=False, wait_timeout=60, force=False, read_identity_providers=False,
            purge_tags=False, bootstrap_self_managed_addons=False, node_security_group_id=NODES,
        )  # fmt: skip
        self.params.update(params)


class Aws:
    """The EKS and EC2 calls the module makes, answered from ``clusters`` and ``groups``."""

    def __init__(self, monkeypatch, cluster, groups):
        self.clusters = [copy.deepcopy(cluster)] if not isinstance(cluster, list) else copy.deepcopy(cluster)
        self.groups = {g["GroupId"]: copy.deepcopy(g) for g in groups}
        self.calls = []
        monkeypatch.setattr(c, "client", lambda module, service: service)
        monkeypatch.setattr(c.api, "describe_cluster", self.describe_cluster)
        monkeypatch.setattr(c.api, "describe_cluster_versions", lambda eks, **kw: [])
        monkeypatch.setattr(c.api, "create_cluster", self.create_cluster)
        monkeypatch.setattr(c.api, "describe_security_groups", self.describe_security_groups)
        monkeypatch.setattr(c.api, "authorize_security_group_ingress", self.authorize)
        monkeypatch.setattr(c, "wait", lambda *args, **kwargs: self.calls.append(("wait", args[1])))

    def describe_cluster(self, eks, name):
        self.calls.append(("DescribeCluster", name))
        return copy.deepcopy(self.clusters.pop(0) if len(self.clusters) > 1 else self.clusters[0])

    def create_cluster(self, eks, **params):
        self.calls.append(("CreateCluster", params["name"]))

    def describe_security_groups(self, ec2, ids):
        self.calls.append(("DescribeSecurityGroups", sorted(ids)))
        return [copy.deepcopy(self.groups[i]) for i in ids if i in self.groups]

    def authorize(self, ec2, group_id, permissions):
        self.calls.append(("AuthorizeSecurityGroupIngress", group_id))
        self.groups[group_id]["IpPermissions"].extend(copy.deepcopy(permissions))

    def made(self, operation):
        return [args for op, args in self.calls if op == operation]


def test_node_rules_are_eksctl_s_two_rules_all_traffic_each_way():
    assert c.node_rules(CLUSTER_SG, NODES) == [
        {"group_id": NODES, "source_group_id": CLUSTER_SG, "protocol": "-1", "from_port": None, "to_port": None,
         "description": "From the EKS cluster security group"},
        {"group_id": CLUSTER_SG, "source_group_id": NODES, "protocol": "-1", "from_port": None, "to_port": None,
         "description": "From the shared node security group"},
    ]  # fmt: skip
    # A node group still to be made (check mode) is taken.
    assert c.node_rules(CLUSTER_SG, pending("security-group", "x"))[0]["group_id"] == "pending:security-group/x"


@pytest.mark.parametrize(
    "group_id, check_mode, message",
    [
        ("nodes", False, "node_security_group_id: a security group id (sg-...) is required, not 'nodes'"),
        ("pending:security-group/x", False, "node_security_group_id: 'pending:security-group/x' is a check run's"),
    ],
)
def test_a_bad_node_group_fails_naming_the_option_before_any_call(monkeypatch, group_id, check_mode, message):
    aws = Aws(monkeypatch, CLUSTER, [])
    with pytest.raises(EksError) as e:
        c.ensure(Module(check_mode=check_mode, node_security_group_id=group_id))
    assert str(e.value).startswith(message)
    assert aws.calls == []
    c.check_node_security_group("pending:security-group/x", True)
    c.check_node_security_group(None, False)


def test_the_cluster_security_group_once_the_cluster_is_past_creating():
    assert c.cluster_security_group(CLUSTER) == CLUSTER_SG
    assert c.cluster_security_group(dict(CLUSTER, status="UPDATING")) == CLUSTER_SG
    assert c.cluster_security_group(dict(CLUSTER, status="CREATING")) is None
    assert c.cluster_security_group({"status": "ACTIVE", "resourcesVpcConfig": {}}) is None
    assert c.cluster_security_group(None) is None


def test_no_op_reads_both_groups_in_one_call_and_changes_nothing(monkeypatch):
    aws = Aws(monkeypatch, CLUSTER, [group(NODES, FROM_CLUSTER), group(CLUSTER_SG, FROM_NODES)])
    result = c.ensure(Module(diff=True))
    assert result["changed"] is False and result["changes"] == []
    assert aws.calls == [("DescribeCluster", "myeks"), ("DescribeSecurityGroups", [CLUSTER_SG, NODES])]
    assert [g["group_id"] for g in result["security_groups"]] == [CLUSTER_SG, NODES]
    assert result["diff"]["before"]["security_groups"] == result["diff"]["after"]["security_groups"]


def test_check_mode_predicts_the_missing_rules_after_the_cluster_s_changes(monkeypatch):
    aws = Aws(monkeypatch, CLUSTER, [group(NODES), group(CLUSTER_SG, FROM_NODES)])
    result = c.ensure(Module(check_mode=True, diff=True, tags={"env": "prod"}))
    assert [(ch["resource"], ch["action"]) for ch in result["changes"]] == [
        ("cluster myeks", "tag"), (f"security group {NODES}", "authorize"),
    ]  # fmt: skip
    assert result["changes"][1]["params"] == {
        "GroupId": NODES,
        "IpPermissions": [{"IpProtocol": "-1", "UserIdGroupPairs": [
            {"GroupId": CLUSTER_SG, "Description": "From the EKS cluster security group"}]}],
    }  # fmt: skip
    # The cluster's own updates are the cluster's calls only.
    assert [u["type"] for u in result["cluster"]["updates"]] == ["TagResource"]
    nodes = next(g for g in result["security_groups"] if g["group_id"] == NODES)
    assert [r["source_group_id"] for r in nodes["ingress_from_groups"]] == [CLUSTER_SG]
    assert result["diff"]["before"]["security_groups"][NODES]["ingress_from_groups"] == []
    assert result["diff"]["after"]["security_groups"][NODES]["ingress_from_groups"][0]["source_group_id"] == CLUSTER_SG
    assert aws.made("AuthorizeSecurityGroupIngress") == [] and aws.made("CreateCluster") == []


def test_apply_adds_the_missing_rules_and_returns_the_groups_read_again(monkeypatch):
    aws = Aws(monkeypatch, CLUSTER, [group(NODES), group(CLUSTER_SG)])
    result = c.ensure(Module())
    assert result["changed"] is True
    assert [ch["resource"] for ch in result["changes"]] == [f"security group {NODES}", f"security group {CLUSTER_SG}"]
    assert aws.made("AuthorizeSecurityGroupIngress") == [NODES, CLUSTER_SG]
    # read before the plan, and again once the rules are added
    assert aws.made("DescribeSecurityGroups") == [[CLUSTER_SG, NODES], [CLUSTER_SG, NODES]]
    assert {g["group_id"]: [r["source_group_id"] for r in g["ingress_from_groups"]] for g in result["security_groups"]} \
        == {NODES: [CLUSTER_SG], CLUSTER_SG: [NODES]}  # fmt: skip
    again = c.ensure(Module())
    assert again["changed"] is False and aws.made("AuthorizeSecurityGroupIngress") == [NODES, CLUSTER_SG]


def test_a_pending_node_group_is_not_looked_up_in_check_mode(monkeypatch):
    node = pending("security-group", "myeks-shared-nodes")
    aws = Aws(monkeypatch, CLUSTER, [group(CLUSTER_SG)])
    result = c.ensure(Module(check_mode=True, node_security_group_id=node))
    assert aws.made("DescribeSecurityGroups") == [[CLUSTER_SG]]
    assert [ch["resource"] for ch in result["changes"]] == [f"security group {node}", f"security group {CLUSTER_SG}"]
    assert result["changed"] is True and aws.made("AuthorizeSecurityGroupIngress") == []


def test_a_node_group_ec2_does_not_know_fails_naming_the_option_before_any_change(monkeypatch):
    aws = Aws(monkeypatch, CLUSTER, [group(CLUSTER_SG)])
    with pytest.raises(EksError, match=f"node_security_group_id: security group {NODES} not found"):
        c.ensure(Module(tags={"env": "prod"}))
    assert aws.made("AuthorizeSecurityGroupIngress") == []
    assert all(op in ("DescribeCluster", "DescribeSecurityGroups") for op, _args in aws.calls)


def test_a_cluster_created_without_waiting_leaves_the_rules_to_a_later_run(monkeypatch):
    creating = dict(copy.deepcopy(CLUSTER), status="CREATING")
    aws = Aws(monkeypatch, [None, creating], [group(NODES), group(CLUSTER_SG)])
    result = c.ensure(Module(role_arn=ROLE, subnet_ids=["subnet-a", "subnet-b"]))
    assert [ch["action"] for ch in result["changes"]] == ["create"]
    assert "security_groups" not in result
    assert aws.made("DescribeSecurityGroups") == [] and aws.made("AuthorizeSecurityGroupIngress") == []
    # Not even when the new cluster is ACTIVE at once (a fast endpoint): the caller adds them after its wait.
    aws = Aws(monkeypatch, [None, CLUSTER], [group(NODES), group(CLUSTER_SG)])
    result = c.ensure(Module(role_arn=ROLE, subnet_ids=["subnet-a", "subnet-b"]))
    assert [ch["action"] for ch in result["changes"]] == ["create"] and "security_groups" not in result
    assert aws.made("DescribeSecurityGroups") == []
    # check mode: a cluster still to be created has no security group to read
    aws = Aws(monkeypatch, [None], [group(NODES)])
    predicted = c.ensure(Module(check_mode=True, role_arn=ROLE, subnet_ids=["subnet-a", "subnet-b"]))
    assert "security_groups" not in predicted and aws.made("DescribeSecurityGroups") == []


def test_a_cluster_created_and_waited_for_gets_the_rules_in_the_same_run(monkeypatch):
    aws = Aws(monkeypatch, [None, CLUSTER], [group(NODES), group(CLUSTER_SG)])
    result = c.ensure(Module(wait=True, role_arn=ROLE, subnet_ids=["subnet-a", "subnet-b"]))
    assert [ch["action"] for ch in result["changes"]] == ["create", "authorize", "authorize"]
    # the node group looked up before the cluster is created
    assert [op for op, _args in aws.calls][:3] == ["DescribeCluster", "DescribeSecurityGroups", "CreateCluster"]
    assert aws.made("AuthorizeSecurityGroupIngress") == [NODES, CLUSTER_SG]


def test_a_missing_node_group_fails_before_the_cluster_is_created(monkeypatch):
    aws = Aws(monkeypatch, [None, CLUSTER], [group(CLUSTER_SG)])
    with pytest.raises(EksError, match="node_security_group_id: security group sg-0nodes not found"):
        c.ensure(Module(wait=True, role_arn=ROLE, subnet_ids=["subnet-a", "subnet-b"]))
    assert aws.made("CreateCluster") == []


def test_without_the_option_no_group_is_read(monkeypatch):
    aws = Aws(monkeypatch, CLUSTER, [group(NODES), group(CLUSTER_SG)])
    result = c.ensure(Module(node_security_group_id=None))
    assert result["changed"] is False and "security_groups" not in result
    assert aws.calls == [("DescribeCluster", "myeks")]


def test_state_absent_ignores_the_option(monkeypatch):
    gone = Aws(monkeypatch, [None], [])
    result = c.ensure(Module(state="absent", node_security_group_id="not-checked"))
    assert result["changed"] is False and gone.calls == [("DescribeCluster", "myeks")]
