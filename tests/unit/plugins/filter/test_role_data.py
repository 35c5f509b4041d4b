"""The filters the roles compute with (plugins/filter/role_data.py, plugins/plugin_utils/role_data.py). Each expected
value is what the Jinja loop of the role task the filter replaced produced for the same input (rendered by
Ansible's templar)."""

from __future__ import annotations

import pathlib

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.aews.eks.plugins.filter.role_data import NAMES
from ansible_collections.aews.eks.plugins.filter.role_data import FilterModule
from ansible_collections.aews.eks.plugins.plugin_utils import role_data as rd

F = FilterModule().filters()
ROOT = pathlib.Path(__file__).resolve().parents[4]
OWNER = "aews.eks/cluster-name"
AMI_ADVICE = (
    "(DescribeImages): give an AMI this account can launch there, or leave ami out for the EKS AMI of the AMI family"
)
KEY_ADVICE = (
    "(DescribeKeyPairs): create or import it first, or give the public key (public_key_path) for the collection to"
    " import"
)


def test_every_filter_is_a_function_of_role_data():
    assert sorted(F) == sorted(NAMES)
    for name in NAMES:
        assert F[name].__doc__ == getattr(rd, name).__doc__


def test_no_role_computes_in_a_jinja_loop():
    """What a role computes is a filter here (unit-tested), not a Jinja loop gathering results in a namespace()."""
    looping = [f"{p.relative_to(ROOT)}:{n}" for p in sorted((ROOT / "roles").rglob("*.yml"))
               for n, line in enumerate(p.read_text().splitlines(), 1) if "namespace(" in line]  # fmt: skip
    assert looping == []


# ---------------------------------------------------------------- definition role
REFERENCES = {
    "region": "ap-northeast-2",
    "nodegroups": [
        {"name": "a", "ami": "ami-1", "ssh": {"public_key_name": "k1"}},
        {"name": "b", "ami": "ami-2", "ssh": {"public_key_name": None}},
        {"name": "c", "ami": None, "ssh": {"public_key_name": "k2"}},
        {"name": "d"},
    ],
    "source": {"paths": {
        "nodegroups[0].ami": "managedNodeGroups[0].ami",
        "nodegroups[2].ssh.public_key_name": "managedNodeGroups[2].ssh.publicKeyName",
    }},
}  # fmt: skip


def test_reference_problems_name_each_missing_ami_and_key_pair_by_the_users_path():
    assert F["nodegroup_reference_problems"](REFERENCES, [], []) == [
        f"managedNodeGroups[0].ami: no AMI ami-1 in ap-northeast-2 {AMI_ADVICE}",
        f"aews_eks_cluster.nodegroups[0].ssh.public_key_name: no key pair k1 in ap-northeast-2 {KEY_ADVICE}",
        f"aews_eks_cluster.nodegroups[1].ami: no AMI ami-2 in ap-northeast-2 {AMI_ADVICE}",
        f"managedNodeGroups[2].ssh.publicKeyName: no key pair k2 in ap-northeast-2 {KEY_ADVICE}",
    ]
    assert F["nodegroup_reference_problems"](REFERENCES, ["ami-1"], ["k2"]) == [
        f"aews_eks_cluster.nodegroups[0].ssh.public_key_name: no key pair k1 in ap-northeast-2 {KEY_ADVICE}",
        f"aews_eks_cluster.nodegroups[1].ami: no AMI ami-2 in ap-northeast-2 {AMI_ADVICE}",
    ]
    assert F["nodegroup_reference_problems"](REFERENCES, ["ami-1", "ami-2"], ["k1", "k2"]) == []


@pytest.mark.parametrize("source", [None, {"paths": None}, "absent"])
def test_reference_problems_without_source_paths_use_the_definitions_paths(source):
    definition = {
        "region": "us-east-1",
        "nodegroups": [{"name": "a", "ami": "ami-1", "ssh": {"public_key_name": "k1"}}],
    }
    if source != "absent":
        definition["source"] = source
    assert F["nodegroup_reference_problems"](definition, [], []) == [
        f"aews_eks_cluster.nodegroups[0].ami: no AMI ami-1 in us-east-1 {AMI_ADVICE}",
        f"aews_eks_cluster.nodegroups[0].ssh.public_key_name: no key pair k1 in us-east-1 {KEY_ADVICE}",
    ]


def test_with_instance_types_sets_those_selected_and_leaves_the_other_nodegroups():
    definition = {"name": "c", "region": "r", "nodegroups": [
        {"name": "a", "instance_types": ["t3.medium"], "instance_selector": None},
        {"name": "b", "instance_types": [], "instance_selector": {"vcpus": 2}},
        {"name": "c", "instance_types": None, "instance_selector": {"vcpus": 4}},
    ]}  # fmt: skip
    results = [
        {"item": {"name": "b"}, "instance_types": ["m5.large", "m5a.large"], "selector": "x", "changed": False},
        {"item": {"name": "c"}, "instance_types": ["c5.xlarge"], "changed": False},
    ]
    assert F["with_instance_types"](definition, results) == {"name": "c", "region": "r", "nodegroups": [
        {"name": "a", "instance_types": ["t3.medium"], "instance_selector": None},
        {"name": "b", "instance_types": ["m5.large", "m5a.large"], "instance_selector": {"vcpus": 2}},
        {"name": "c", "instance_types": ["c5.xlarge"], "instance_selector": {"vcpus": 4}},
    ]}  # fmt: skip
    assert F["with_instance_types"](definition, []) == definition
    assert definition["nodegroups"][1]["instance_types"] == []  # the input is left as it was


# ---------------------------------------------------------------- addons role
def test_addon_deletes_are_the_owned_add_ons_vpc_cni_first():
    found = [
        {"name": "coredns", "tags": {OWNER: "c1"}},
        {"name": "kube-proxy", "tags": {OWNER: "c2"}},
        {"name": "metrics-server", "tags": None},
        {"name": "aws-ebs-csi-driver"},
        {"name": "vpc-cni", "tags": {OWNER: "c1", "x": "y"}},
        {"name": "eks-pod-identity-agent", "tags": {OWNER: "c1"}},
    ]
    assert F["addon_deletes"](found, "c1") == [
        {"name": "vpc-cni", "state": "absent"},
        {"name": "coredns", "state": "absent"},
        {"name": "eks-pod-identity-agent", "state": "absent"},
    ]
    assert F["addon_deletes"]([], "c1") == []


SELECTED = [
    {"name": "vpc-cni", "version": "v1.19.0-eksbuild.1", "resolve_conflicts": "OVERWRITE", "tags": {},
     "configuration_values": {"env": {"ENABLE_PREFIX_DELEGATION": "true"}}, "service_account_role": {"needed": True},
     "pod_identity_associations": []},
    {"name": "coredns", "version": None, "resolve_conflicts": "NONE", "tags": {"team": "x", "Name": "mine"},
     "configuration_values": None, "service_account_role": {"needed": False}, "pod_identity_associations": []},
    {"name": "aws-ebs-csi-driver", "version": "latest", "resolve_conflicts": "OVERWRITE", "tags": {"a": "b"},
     "configuration_values": "", "service_account_role": {"needed": False},
     "pod_identity_associations": [
         {"service_account": "ebs-csi-controller-sa", "role_arn": None, "role_name": "c1-pod-ebs"},
         {"service_account": "other", "role_arn": "arn:aws:iam::1:role/mine", "role_name": None}]},
]  # fmt: skip
IRSA_ROLES = [{"item": {"name": "vpc-cni"}, "role": {"arn": "arn:aws:iam::1:role/c1-addon-vpc-cni"}}]
POD_ROLES = [
    {"item": [{"name": "aws-ebs-csi-driver"}, {"role_name": "c1-pod-ebs"}], "arn": "arn:aws:iam::1:role/c1-pod-ebs"}
]


def test_addon_entries_carry_tags_configuration_and_the_roles_made_for_them():
    tags = {"owner": "me", OWNER: "c1"}
    assert F["addon_entries"](SELECTED, "c1", tags, irsa_roles=IRSA_ROLES, pod_identity_roles=POD_ROLES) == [
        {"name": "vpc-cni", "version": "v1.19.0-eksbuild.1", "resolve_conflicts": "OVERWRITE",
         "tags": {"owner": "me", OWNER: "c1", "Name": "c1-vpc-cni"}, "purge_tags": False,
         "configuration_values": {"env": {"ENABLE_PREFIX_DELEGATION": "true"}},
         "service_account_role_arn": "arn:aws:iam::1:role/c1-addon-vpc-cni"},
        {"name": "coredns", "version": None, "resolve_conflicts": "NONE",
         "tags": {"owner": "me", OWNER: "c1", "team": "x", "Name": "c1-coredns"}, "purge_tags": False},
        {"name": "aws-ebs-csi-driver", "version": "latest", "resolve_conflicts": "OVERWRITE",
         "tags": {"owner": "me", OWNER: "c1", "a": "b", "Name": "c1-aws-ebs-csi-driver"}, "purge_tags": False,
         "configuration_values": "",
         "pod_identity_associations": [
             {"service_account": "ebs-csi-controller-sa", "role_arn": "arn:aws:iam::1:role/c1-pod-ebs"},
             {"service_account": "other", "role_arn": "arn:aws:iam::1:role/mine"}]},
    ]  # fmt: skip


def test_addon_entries_take_the_exact_version_resolved_when_there_is_one():
    versions = {"vpc-cni": "v1.20.0-eksbuild.1", "coredns": "v1.11.4-eksbuild.2", "other": "x"}
    entries = F["addon_entries"](SELECTED, "c1", {}, IRSA_ROLES, POD_ROLES, versions=versions)
    assert [e["version"] for e in entries] == ["v1.20.0-eksbuild.1", "v1.11.4-eksbuild.2", "latest"]


def test_addon_entries_take_the_arn_a_role_result_has_even_null_and_skip_results_without_one():
    irsa = [{"item": {"name": "vpc-cni"}, "skipped": True}, {"item": {"name": "vpc-cni"}, "role": {"arn": None}}]
    entries = F["addon_entries"](SELECTED[:1], "c1", {}, irsa_roles=irsa)
    assert entries[0]["service_account_role_arn"] is None


def test_addon_entries_fail_naming_the_add_on_whose_role_is_not_among_the_results():
    with pytest.raises(AnsibleFilterError, match=r"^aews.eks.addon_entries: add-on vpc-cni: the IRSA role: no result"):
        F["addon_entries"](SELECTED[:1], "c1", {}, irsa_roles=[], pod_identity_roles=[])
    with pytest.raises(AnsibleFilterError, match=r"add-on aws-ebs-csi-driver: the pod identity role c1-pod-ebs: no"):
        F["addon_entries"](SELECTED[2:], "c1", {}, irsa_roles=[], pod_identity_roles=[])


UPDATES = [
    {"addon": "coredns", "id": "u1", "type": "VersionUpdate", "status": "InProgress"},
    {"addon": "vpc-cni", "id": "u2"},
]


def test_wait_updates_of_a_module_keep_the_resource_and_id_of_those_asked():
    assert F["wait_updates"](UPDATES, "addon") == [{"addon": "coredns", "id": "u1"}, {"addon": "vpc-cni", "id": "u2"}]
    assert F["wait_updates"](UPDATES, "addon", only=["coredns", "metrics-server"]) == [{"addon": "coredns", "id": "u1"}]
    assert F["wait_updates"]([], "addon", only=["coredns"]) == []
    with pytest.raises(AnsibleFilterError, match=r"^aews.eks.wait_updates: each update needs nodegroup and id"):
        F["wait_updates"](UPDATES, "nodegroup")


def test_loop_wait_updates_name_each_update_by_its_loop_item():
    results = [
        {"item": {"name": "a"}, "updates": [{"id": "u1", "type": "VersionUpdate"}, {"id": "u2"}]},
        {"item": {"name": "b"}, "skipped": True},
        {"item": {"name": "c"}, "updates": []},
        {"item": {"name": "d"}, "updates": [{"id": "u3"}]},
    ]
    assert F["loop_wait_updates"](results, "nodegroup") == [
        {"nodegroup": "a", "id": "u1"}, {"nodegroup": "a", "id": "u2"}, {"nodegroup": "d", "id": "u3"}
    ]  # fmt: skip
    assert F["loop_wait_updates"]([], "nodegroup") == []


# ---------------------------------------------------------------- nodegroup role
def test_with_waited_status_takes_the_status_the_wait_last_read():
    nodegroups = [
        {"nodegroup_name": "a", "status": "CREATING", "scaling_config": {"min_size": 1}},
        {"nodegroup_name": "c", "status": "ACTIVE"},
        {"nodegroup_name": "d", "status": "UPDATING"},
    ]
    waited = [
        {"kind": "cluster", "name": "a", "status": "ACTIVE"},
        {"kind": "nodegroup", "name": "a", "status": "ACTIVE"},
        {"kind": "nodegroup", "name": "d", "status": None},
    ]
    assert F["with_waited_status"](nodegroups, waited) == [
        {"nodegroup_name": "a", "status": "ACTIVE", "scaling_config": {"min_size": 1}},
        {"nodegroup_name": "c", "status": "ACTIVE"},
        {"nodegroup_name": "d", "status": "UPDATING"},
    ]
    assert F["with_waited_status"](nodegroups, []) == nodegroups
    assert F["with_waited_status"](iter(nodegroups), iter(waited))[0]["status"] == "ACTIVE"  # Jinja's map, select


def test_with_waited_status_of_add_ons_by_their_name():
    addons = [{"name": "coredns", "status": "DEGRADED"}, {"name": "vpc-cni", "status": "ACTIVE"}]
    waited = [
        {"kind": "addon", "name": "coredns", "status": "ACTIVE"},
        {"kind": "nodegroup", "name": "vpc-cni", "status": "CREATING"},
    ]
    assert F["with_waited_status"](addons, waited, kind="addon") == [
        {"name": "coredns", "status": "ACTIVE"},
        {"name": "vpc-cni", "status": "ACTIVE"},
    ]
    with pytest.raises(AnsibleFilterError, match="kind must be one of nodegroup, addon, not 'cluster'"):
        F["with_waited_status"](addons, waited, kind="cluster")


# ---------------------------------------------------------------- addons role's waits
WAITS_DEFINED = [{"name": "vpc-cni", "wait": "created"}, {"name": "coredns", "wait": "created"},
                 {"name": "metrics-server", "wait": "active"}, {"name": "kube-proxy", "wait": "created"}]  # fmt: skip


def test_addon_waits_leave_out_what_the_run_left_active_without_an_update():
    run = {
        "results": [
            {"name": "vpc-cni", "addon": {"name": "vpc-cni", "status": "ACTIVE"}},
            {"name": "coredns", "addon": {"name": "coredns", "status": "CREATING"}},
            {"name": "metrics-server", "addon": {"name": "metrics-server", "status": "CREATING"}},
            {"name": "kube-proxy", "addon": {"name": "kube-proxy", "status": "ACTIVE"}},
            {"name": "other", "addon": {"name": "other", "status": "CREATING"}},  # not in the definition
        ],
        "updates": [{"addon": "kube-proxy", "id": "u-1", "type": "VersionUpdate"}],
    }
    assert F["addon_waits"](run, WAITS_DEFINED) == {
        "active": ["metrics-server"],
        "created": ["coredns", "kube-proxy"],
        "updates": [{"addon": "kube-proxy", "id": "u-1"}],
    }


def test_addon_waits_of_no_run_or_a_settled_one_are_empty():
    empty = {"active": [], "created": [], "updates": []}
    assert F["addon_waits"]({}, WAITS_DEFINED) == empty
    settled = {"results": [{"name": "vpc-cni", "addon": {"name": "vpc-cni", "status": "ACTIVE"}}], "updates": []}
    assert F["addon_waits"](settled, WAITS_DEFINED) == empty
    failed = {"results": [{"name": "coredns", "failed": True, "msg": "boom"}]}
    assert F["addon_waits"](failed, WAITS_DEFINED) == empty
    with pytest.raises(AnsibleFilterError, match="aews.eks.addon_waits: the add-on run must be a dict"):
        F["addon_waits"](["vpc-cni"], WAITS_DEFINED)


PUBLIC = {"name": "pub", "ssh": {"allow": True, "source_security_group_ids": []}, "private_networking": False}
PRIVATE = {"name": "priv", "ssh": {"allow": True, "source_security_group_ids": []}, "private_networking": True}
SOURCES = {
    "name": "src",
    "ssh": {"allow": True, "source_security_group_ids": ["sg-1", "sg-2"]},
    "private_networking": True,
}


def test_ssh_rules_for_amazon_aws_ec2_security_group():
    def rules(ng):
        return F["ssh_rules"](ng, "10.0.0.0/16", module="ec2_security_group")

    assert rules(PUBLIC) == [
        {"proto": "tcp", "ports": [22], "cidr_ip": "0.0.0.0/0", "rule_desc": "SSH"},
        {"proto": "tcp", "ports": [22], "cidr_ipv6": "::/0", "rule_desc": "SSH"},
    ]
    assert rules(PRIVATE) == [
        {"proto": "tcp", "ports": [22], "cidr_ip": "10.0.0.0/16", "rule_desc": "SSH from the VPC"}
    ]
    assert rules(SOURCES) == [
        {"proto": "tcp", "ports": [22], "group_id": "sg-1", "rule_desc": "SSH"},
        {"proto": "tcp", "ports": [22], "group_id": "sg-2", "rule_desc": "SSH"},
    ]
    with pytest.raises(AnsibleFilterError, match=r"^aews.eks.ssh_rules: module must be eks_security_groups or ec2_"):
        F["ssh_rules"](PUBLIC, "10.0.0.0/16", module="ec2_group")


# ---------------------------------------------------------------- vpc role
def test_vpc_security_groups_the_clusters_two_and_an_ssh_group_per_nodegroup_allowing_ssh():
    definition = {"vpc": {"cidr": "10.0.0.0/16"}, "nodegroups": [
        PUBLIC, PRIVATE, SOURCES,
        {"name": "nossh", "ssh": {"allow": False, "source_security_group_ids": []}, "private_networking": False},
        dict(PUBLIC, name="lt", launch_template={"id": "lt-1"}),
        dict(PUBLIC, name="ltnull", launch_template=None),
    ]}  # fmt: skip
    tags = {OWNER: "demo", "env": "dev"}

    def named(name):
        return {OWNER: "demo", "env": "dev", "Name": name}

    open_rules = [
        {"protocol": "tcp", "from_port": 22, "cidr_ip": "0.0.0.0/0", "description": "SSH"},
        {"protocol": "tcp", "from_port": 22, "cidr_ipv6": "::/0", "description": "SSH"},
    ]
    assert F["vpc_security_groups"](definition, "demo", tags) == [
        {"name": "demo-control-plane",
         "description": "Communication between the control plane and worker nodegroups of demo",
         "tags": named("demo-control-plane")},
        {"name": "demo-shared-nodes", "description": "Communication between all nodes of demo",
         "tags": named("demo-shared-nodes"),
         "rules": [{"group_name": "demo-shared-nodes", "description": "Nodes to nodes"}]},
        {"name": "demo-pub-remote-access", "purge_rules": True, "rules": open_rules,
         "description": "SSH to the nodes of demo nodegroup pub", "tags": named("demo-pub-remote-access")},
        {"name": "demo-priv-remote-access", "purge_rules": True,
         "rules": [{"protocol": "tcp", "from_port": 22, "cidr_ip": "10.0.0.0/16", "description": "SSH from the VPC"}],
         "description": "SSH to the nodes of demo nodegroup priv", "tags": named("demo-priv-remote-access")},
        {"name": "demo-src-remote-access", "purge_rules": True,
         "rules": [{"protocol": "tcp", "from_port": 22, "group_id": "sg-1", "description": "SSH"},
                   {"protocol": "tcp", "from_port": 22, "group_id": "sg-2", "description": "SSH"}],
         "description": "SSH to the nodes of demo nodegroup src", "tags": named("demo-src-remote-access")},
        {"name": "demo-ltnull-remote-access", "purge_rules": True, "rules": open_rules,
         "description": "SSH to the nodes of demo nodegroup ltnull", "tags": named("demo-ltnull-remote-access")},
    ]  # fmt: skip
    assert [g["name"] for g in F["vpc_security_groups"]({"vpc": {"cidr": "10.0.0.0/16"}}, "demo", {})] == [
        "demo-control-plane", "demo-shared-nodes"
    ]  # fmt: skip


# ---------------------------------------------------------------- cluster role
NODEGROUPS = [
    {"nodegroup_name": "ng1", "status": "ACTIVE", "instance_types": ["t3.medium", "t3.large"],
     "scaling_config": {"min_size": 2, "desired_size": 2, "max_size": 3}},
    {"nodegroup_name": "ng2", "status": "CREATING", "instance_types": None,
     "scaling_config": {"min_size": 0, "desired_size": 1, "max_size": 1}},
]  # fmt: skip
ADDONS = [
    {"name": "vpc-cni", "version": "v1.19.0-eksbuild.1", "status": "ACTIVE"},
    {"name": "coredns", "version": "v1.11", "status": "DEGRADED"},
]
KUBECONFIG = "Kubeconfig: aws eks update-kubeconfig --name myeks --region ap-northeast-2  (or the aews.eks.eks_kubeconfig module)"


def test_cluster_summary_lines():
    definition = {"name": "myeks", "region": "ap-northeast-2", "version": "1.33"}
    cluster = {"status": "ACTIVE", "version": "1.32", "endpoint": "https://x.eks.amazonaws.com"}
    body = [
        "Nodegroup ng1: ACTIVE, t3.medium,t3.large, min/desired/max 2/2/3",
        "Nodegroup ng2: CREATING, , min/desired/max 0/1/1",
        "Add-on vpc-cni v1.19.0-eksbuild.1: ACTIVE",
        "Add-on coredns v1.11: DEGRADED",
    ]
    assert F["cluster_summary"](definition, cluster, NODEGROUPS, ADDONS) == [
        "Cluster myeks in ap-northeast-2: ACTIVE, Kubernetes 1.32", "Endpoint: https://x.eks.amazonaws.com",
        *body, KUBECONFIG,
    ]  # fmt: skip
    assert F["cluster_summary"](definition, {}, [], []) == [
        "Cluster myeks in ap-northeast-2: to be created, Kubernetes 1.33", "Endpoint: -", KUBECONFIG
    ]  # fmt: skip
    creating = {"status": "CREATING", "version": None, "endpoint": None}
    assert F["cluster_summary"](dict(definition, version=None), creating, NODEGROUPS, ADDONS) == [
        "Cluster myeks in ap-northeast-2: CREATING, Kubernetes EKS default", "Endpoint: -", *body, KUBECONFIG
    ]  # fmt: skip


@pytest.mark.parametrize(("name", "args", "message"), [
    ("addon_deletes", ("vpc-cni", "c1"), "the add-ons must be a list, not 'vpc-cni'"),
    ("with_instance_types", ([], []), "the definition must be a dict, not []"),
    ("wait_updates", ({"addon": "a"}, "addon"), "the updates must be a list"),
    ("cluster_summary", ({"name": "c"}, "ACTIVE"), "cluster must be a dict, not 'ACTIVE'"),
])  # fmt: skip
def test_bad_input_fails_naming_the_filter_and_the_argument(name, args, message):
    with pytest.raises(AnsibleFilterError) as e:
        F[name](*args)
    assert str(e.value).startswith(f"aews.eks.{name}: ") and message in str(e.value)


# ---------------------------------------------------------------- nodegroup role's inputs
KNOWN_DEFINITION = {"name": "c1", "nodegroups": [
    {"name": "a", "instance_types": ["t3.medium", "t3.large"]}, {"name": "b", "instance_types": ["m5.large"]},
    {"name": "c", "instance_types": ["t3.medium"]},
]}  # fmt: skip
OFFERED = {
    "name": "c1",
    "instance_types": [{"instance_type": "t3.medium", "max_pods": 17}, {"instance_type": "m5.large", "max_pods": 29}],
    "key_pairs": [{"key_name": "c1-a"}],
}
SUBNET_IDS = {"public": {"a": "subnet-1", "c": "subnet-2"}, "private": {"a": "subnet-3", "c": "pending:subnet"}}
FREE = {"subnet-1": 8000, "subnet-2": 8100, "subnet-3": 8187, "subnet-9": 5}


def test_known_nodegroup_inputs_when_the_play_read_them_all():
    assert F["known_nodegroup_inputs"](KNOWN_DEFINITION, OFFERED, SUBNET_IDS, FREE) == {
        "instance_types": OFFERED["instance_types"],
        "key_pairs": [{"key_name": "c1-a"}],
        "subnets": [
            {"subnet_id": "subnet-1", "available_ip_address_count": 8000},
            {"subnet_id": "subnet-2", "available_ip_address_count": 8100},
            {"subnet_id": "subnet-3", "available_ip_address_count": 8187},
        ],
    }
    # Without the vpc role in the play there are no subnets to know.
    assert F["known_nodegroup_inputs"](KNOWN_DEFINITION, OFFERED, None, {})["subnets"] == []


@pytest.mark.parametrize(("offered", "subnet_ids", "free"), [
    (dict(OFFERED, name="c2"), SUBNET_IDS, FREE),  # another cluster's check
    ({}, SUBNET_IDS, FREE),  # no check in the play
    ({"name": "c1"}, SUBNET_IDS, FREE),  # a check without the instance types
    (dict(OFFERED, instance_types=OFFERED["instance_types"][:1]), SUBNET_IDS, FREE),  # m5.large not read
    (OFFERED, SUBNET_IDS, {"subnet-1": 1}),  # subnets whose free addresses were not read
])  # fmt: skip
def test_known_nodegroup_inputs_are_none_when_something_is_missing(offered, subnet_ids, free):
    assert F["known_nodegroup_inputs"](KNOWN_DEFINITION, offered, subnet_ids, free) is None


# ---------------------------------------------------------------- cluster role: the node roles in its role's run
def test_node_roles_one_per_managed_nodegroup_without_a_launch_template_of_its_own():
    policies = ["arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy", "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"]
    read = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    definition = {
        "name": "demo",
        "tags": {"env": "dev"},
        "owner_tag": {OWNER: "demo"},
        "nodegroups": [
            {"name": "ng1", "node_role": {"managed_policy_arns": policies, "inline_policies": {"read": read}}},
            {"name": "lt", "launch_template": {"id": "lt-1"}, "node_role": {"managed_policy_arns": policies}},
            {"name": "x" * 60, "launch_template": None, "node_role": {"managed_policy_arns": [], "inline_policies": {}}},
        ],
    }
    long_name = ("demo-" + "x" * 60 + "-node-role")[:64]
    assert F["node_roles"](definition) == [
        {
            "name": "demo-ng1-node-role",
            "description": "Nodes of demo nodegroup ng1",
            "trusted_service": "ec2.amazonaws.com",
            "managed_policy_arns": policies,
            "inline_policies": {"read": read},
            "purge_policies": True,
            "tags": {"env": "dev", OWNER: "demo", "Name": "demo-ng1-node-role"},
        },
        {
            "name": long_name,
            "description": "Nodes of demo nodegroup " + "x" * 60,
            "trusted_service": "ec2.amazonaws.com",
            "managed_policy_arns": [],
            "inline_policies": {},
            "purge_policies": True,
            "tags": {"env": "dev", OWNER: "demo", "Name": long_name},
        },
    ]
    assert len(long_name) == 64
    assert F["node_roles"](dict(definition, nodegroups=[])) == []


def test_node_roles_names_the_nodegroup_role_tasks_use():
    """The names the nodegroup role's tasks compute in Jinja (prepare.yml, prepare_early.yml) are the filter's."""
    text = (ROOT / "roles" / "nodegroup" / "tasks" / "prepare_early.yml").read_text()
    assert "(definition__cluster.name ~ '-' ~ item.name ~ '-node-role')[:64]" in text
    assert rd.node_role_name("demo", "ng1") == "demo-ng1-node-role"


def test_node_roles_refuses_what_is_not_a_definition():
    with pytest.raises(AnsibleFilterError, match=r"^aews.eks.node_roles: the definition must be a dict"):
        F["node_roles"](["not", "a", "dict"])
