# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The facts the collection writes once: what EKS accepts, eksctl's defaults, tag keys, policy names, the states a
wait ends in, the error codes that mean "not there", and Kubernetes version arithmetic.

Pure Python without imports of ours or of AWS libraries: module_utils, the modules' argument specs, the filters and
the action plugins import from here. The modules' DOCUMENTATION and the roles cannot import; unit tests
(tests/unit/plugins/module_utils/test_vocabulary.py) check that what they write equals what is here.
"""

from __future__ import annotations

import re

# ---------------------------------------------------------------- EKS enumerations (botocore's EKS model)
# AMITypes, in the model's order.
AMI_TYPES = (
    "AL2_x86_64",
    "AL2_x86_64_GPU",
    "AL2_ARM_64",
    "CUSTOM",
    "BOTTLEROCKET_ARM_64",
    "BOTTLEROCKET_x86_64",
    "BOTTLEROCKET_ARM_64_FIPS",
    "BOTTLEROCKET_x86_64_FIPS",
    "BOTTLEROCKET_ARM_64_NVIDIA",
    "BOTTLEROCKET_x86_64_NVIDIA",
    "BOTTLEROCKET_ARM_64_NVIDIA_FIPS",
    "BOTTLEROCKET_x86_64_NVIDIA_FIPS",
    "WINDOWS_CORE_2019_x86_64",
    "WINDOWS_FULL_2019_x86_64",
    "WINDOWS_CORE_2022_x86_64",
    "WINDOWS_FULL_2022_x86_64",
    "WINDOWS_CORE_2025_x86_64",
    "WINDOWS_FULL_2025_x86_64",
    "AL2023_x86_64_STANDARD",
    "AL2023_ARM_64_STANDARD",
    "AL2023_x86_64_NEURON",
    "AL2023_x86_64_NVIDIA",
    "AL2023_ARM_64_NVIDIA",
)
CUSTOM_AMI_TYPE = "CUSTOM"
# The AMI types the definition's AMI families and instance types become (eksctl's choice).
WINDOWS_AMI_TYPES = {"Windows2019": "WINDOWS_CORE_2019_x86_64", "Windows2022": "WINDOWS_CORE_2022_x86_64"}
# The last Kubernetes version EKS offers an AMI type for (managed nodegroups); Amazon Linux 2 ends at 1.32:
# https://docs.aws.amazon.com/eks/latest/userguide/eks-ami-deprecation-faqs.html
AMI_TYPE_LAST_VERSION = {
    "AL2_x86_64": "1.32",
    "AL2_x86_64_GPU": "1.32",
    "AL2_ARM_64": "1.32",
}

# LogType: the control plane log types.
LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")

# CapacityTypes.
CAPACITY_TYPES = ("ON_DEMAND", "SPOT", "CAPACITY_BLOCK")

# TaintEffect as the EKS API spells it, as Kubernetes (and eksctl) spells it, and either to the API's spelling.
TAINT_EFFECTS = ("NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE")
KUBERNETES_TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
TAINT_EFFECT_TO_KUBERNETES = {
    "NO_SCHEDULE": "NoSchedule",
    "NO_EXECUTE": "NoExecute",
    "PREFER_NO_SCHEDULE": "PreferNoSchedule",
}
TAINT_EFFECT_TO_EKS = {**{e: e for e in TAINT_EFFECTS}, **{k: e for e, k in TAINT_EFFECT_TO_KUBERNETES.items()}}

# EBS volume types a nodegroup's launch template may name.
VOLUME_TYPES = ("gp2", "gp3", "io1", "io2", "sc1", "st1", "standard")

# ---------------------------------------------------------------- eksctl's defaults
DEFAULT_VPC_CIDR = "192.168.0.0/16"
DEFAULT_INSTANCE_TYPE = "m5.large"
DEFAULT_AMI_FAMILY = "AmazonLinux2023"
DEFAULT_NODE_COUNT = 2
DEFAULT_VOLUME_TYPE = "gp3"
DEFAULT_VOLUME_SIZE = 80
# The definition's vpc.nat.mode values and eksctl's vpc.nat.gateway spellings of them; eksctl makes one NAT gateway.
NAT_MODES = ("single", "highly_available", "disabled")
EKSCTL_NAT_MODES = {"Single": "single", "HighlyAvailable": "highly_available", "Disable": "disabled"}
DEFAULT_NAT_MODE = "single"
DEFAULT_ADDONS = ("vpc-cni", "kube-proxy", "coredns", "metrics-server")

# ---------------------------------------------------------------- IAM: well-known managed policies
CLUSTER_ROLE_POLICY = "AmazonEKSClusterPolicy"
# Attached to the cluster role when the cluster uses security groups for pods (eksctl attaches it).
VPC_RESOURCE_CONTROLLER_POLICY = "AmazonEKSVPCResourceController"
CNI_POLICY = "AmazonEKS_CNI_Policy"
# The node role's managed policies as eksctl attaches them; the CNI policy only without OIDC (vpc-cni then has an
# IRSA role of its own).
NODE_ROLE_POLICIES = ("AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly", "AmazonSSMManagedInstanceCore")


# The pod execution role of Fargate profiles.
FARGATE_POD_EXECUTION_ROLE_POLICY = "AmazonEKSFargatePodExecutionRolePolicy"
# EKS Auto Mode: the cluster role's policies (eksctl's builder.AutoModeIAMPolicies) and those of the node role eksctl
# makes for Auto Mode's nodes.
AUTO_MODE_CLUSTER_ROLE_POLICIES = (
    "AmazonEKSComputePolicy",
    "AmazonEKSBlockStoragePolicy",
    "AmazonEKSLoadBalancingPolicy",
    "AmazonEKSNetworkingPolicy",
)
AUTO_MODE_NODE_ROLE_POLICIES = ("AmazonEC2ContainerRegistryPullOnly", "AmazonEKSWorkerNodeMinimalPolicy")
# Every AWS managed policy the roles and modules attach by name.
MANAGED_POLICIES = (
    (
        CLUSTER_ROLE_POLICY,
        VPC_RESOURCE_CONTROLLER_POLICY,
        CNI_POLICY,
        FARGATE_POD_EXECUTION_ROLE_POLICY,
    )
    + NODE_ROLE_POLICIES
    + AUTO_MODE_CLUSTER_ROLE_POLICIES
    + tuple(p for p in AUTO_MODE_NODE_ROLE_POLICIES if p not in NODE_ROLE_POLICIES)
)


# The AWS partition of a region, by the region's prefix (the others are in "aws").
PARTITIONS = (("cn-", "aws-cn"), ("us-gov-", "aws-us-gov"), ("us-iso-", "aws-iso"), ("us-isob-", "aws-iso-b"))


def partition(region):
    """The partition ARNs name in ``region`` (cn-north-1 -> aws-cn, us-gov-west-1 -> aws-us-gov, else aws)."""
    return next((name for prefix, name in PARTITIONS if region.startswith(prefix)), "aws")


def policy_arn(name, partition="aws"):
    """The ARN of an AWS managed policy ("path/name" names keep their path)."""
    return f"arn:{partition}:iam::aws:policy/{name}"


# ---------------------------------------------------------------- tag keys
# On everything the collection makes; the teardown deletes only what carries it with the cluster's name.
OWNER_TAG = "aews.eks/cluster-name"
# What Kubernetes and its controllers tag: kubernetes.io/cluster/NAME=owned (in-tree and AWS cloud providers),
# elbv2.k8s.aws/cluster=NAME (AWS Load Balancer Controller), the VPC CNI's network interfaces.
KUBERNETES_CLUSTER_TAG_PREFIX = "kubernetes.io/cluster/"
LOAD_BALANCER_CONTROLLER_CLUSTER_TAG = "elbv2.k8s.aws/cluster"
CNI_TAG = "cluster.k8s.amazonaws.com/name"
# Subnet roles for load balancers.
ELB_ROLE_TAG = "kubernetes.io/role/elb"
INTERNAL_ELB_ROLE_TAG = "kubernetes.io/role/internal-elb"


# On the IAM roles eks_irsa makes: the service accounts a role serves and how (IRSA or Pod Identity).
SERVICE_ACCOUNTS_TAG = "aews.eks/service-accounts"
SERVICE_ACCOUNT_MODE_TAG = "aews.eks/service-account-mode"
# On the Auto Scaling groups of self-managed nodegroups (and propagated to their instances): the nodegroup's name.
SELF_MANAGED_NODEGROUP_TAG = "aews.eks/self-managed-nodegroup"
# Every tag key of the collection's own.
TAG_KEYS = (OWNER_TAG, SERVICE_ACCOUNTS_TAG, SERVICE_ACCOUNT_MODE_TAG, SELF_MANAGED_NODEGROUP_TAG)


def kubernetes_cluster_tag(cluster_name):
    return KUBERNETES_CLUSTER_TAG_PREFIX + cluster_name


# ---------------------------------------------------------------- Kubernetes versions
VERSION_RE = re.compile(r"^(\d+)\.(\d+)$")
# How many minor versions a kubelet may be behind the API server: 3 from Kubernetes 1.28 on, 2 before.
# https://kubernetes.io/releases/version-skew-policy/
SKEW_POLICY_CHANGE = (1, 28)


def parse_version(version):
    """(major, minor) of "1.33"; ValueError naming the value for anything else (a number too: 1.3 is not "1.30")."""
    match = VERSION_RE.match(version.strip()) if isinstance(version, str) else None
    if not match:
        raise ValueError(f'{version!r} is not a Kubernetes minor version such as "1.33"')
    return int(match.group(1)), int(match.group(2))


def format_version(version):
    return f"{version[0]}.{version[1]}"


def compare_versions(a, b):
    """-1, 0 or 1 as version a is older than, the same as or newer than version b."""
    pa, pb = parse_version(a), parse_version(b)
    return (pa > pb) - (pa < pb)


def version_steps(current, target):
    """The minor versions an upgrade goes through, one at a time: ("1.31", "1.33") -> ["1.32", "1.33"]."""
    (major, minor), (target_major, target_minor) = parse_version(current), parse_version(target)
    if major != target_major:
        raise ValueError(f"cannot upgrade across major versions ({current} -> {target})")
    return [format_version((major, m)) for m in range(minor + 1, target_minor + 1)]


def max_kubelet_skew(control_plane_version):
    """How many minor versions nodes may be behind a control plane of this version."""
    return 3 if parse_version(control_plane_version) >= SKEW_POLICY_CHANGE else 2


# ---------------------------------------------------------------- where waits end
# Per resource and goal: the statuses that end the wait well and those that stop it at once (a failure). A wait
# for "deleted" ends well when the resource is gone. The modules' waiters (waiters.py) and the eks_wait action
# plugin both read this.
WAIT_STATES = {
    "cluster": {
        "active": {"success": ("ACTIVE",), "failure": ("FAILED", "DELETING")},
        "created": {"success": ("ACTIVE",), "failure": ("FAILED", "DELETING")},
        "deleted": {"success": (), "failure": ("ACTIVE", "CREATING", "PENDING", "FAILED")},
    },
    "nodegroup": {
        "active": {"success": ("ACTIVE",), "failure": ("CREATE_FAILED", "DEGRADED", "DELETING", "DELETE_FAILED")},
        "created": {"success": ("ACTIVE",), "failure": ("CREATE_FAILED", "DEGRADED", "DELETING", "DELETE_FAILED")},
        "deleted": {"success": (), "failure": ("DELETE_FAILED",)},
    },
    "addon": {
        "active": {
            "success": ("ACTIVE",),
            "failure": ("CREATE_FAILED", "UPDATE_FAILED", "DEGRADED", "DELETING", "DELETE_FAILED"),
        },
        # Add-ons such as coredns stay DEGRADED until nodes exist: "created" only waits until CREATING is over.
        "created": {
            "success": ("ACTIVE", "DEGRADED", "UPDATING"),
            "failure": ("CREATE_FAILED", "UPDATE_FAILED", "DELETING", "DELETE_FAILED"),
        },
        "deleted": {"success": (), "failure": ("DELETE_FAILED",)},
    },
    "fargate_profile": {
        "active": {"success": ("ACTIVE",), "failure": ("CREATE_FAILED", "DELETING", "DELETE_FAILED")},
        "deleted": {"success": (), "failure": ("DELETE_FAILED",)},
    },
    # EC2 spells NAT gateway states in lower case; a deleted one is listed for a while as "deleted".
    "nat_gateway": {
        "active": {"success": ("available",), "failure": ("failed", "deleting", "deleted")},
        "deleted": {"success": ("deleted",), "failure": ()},
    },
    "update": {
        "successful": {"success": ("Successful",), "failure": ("Failed", "Cancelled")},
    },
}
# Nodegroups being deleted are left out of the plans that change nodegroups (an upgrade).
GOING_STATES = ("DELETING",)


def wait_success(kind, goal):
    return WAIT_STATES[kind][goal]["success"]


def wait_failure(kind, goal):
    return WAIT_STATES[kind][goal]["failure"]


# ---------------------------------------------------------------- error codes that mean "not there"
# Per resource (the describe and delete wrappers of api.py name theirs; a wrapper that names none takes its
# service's). A describe answered with one returns None, a delete returns False (already gone).
MISSING_CODES = {
    "eks": ("ResourceNotFoundException", "NotFoundException"),
    "iam": ("NoSuchEntity",),
    "launch_template": ("InvalidLaunchTemplateName.NotFoundException", "InvalidLaunchTemplateId.NotFound"),
    "key_pair": ("InvalidKeyPair.NotFound",),
    "load_balancer": ("LoadBalancerNotFound",),
    "classic_load_balancer": ("LoadBalancerNotFound", "AccessPointNotFound"),
}
# The resources whose codes a wrapper takes when it names none, by the client's service.
SERVICE_MISSING = {
    "eks": ("eks",),
    "iam": ("iam",),
    "ec2": ("launch_template", "key_pair"),
    "elbv2": ("load_balancer",),
    "elb": ("classic_load_balancer",),
}


def missing_codes(resource=None, service=None):
    """The error codes meaning "not there" for a resource, or (none named) for the resources of a service; every
    code known when neither is known (a client that is not a boto3 client)."""
    if resource:
        names = (resource,) if isinstance(resource, str) else tuple(resource)
    elif service in SERVICE_MISSING:
        names = SERVICE_MISSING[service]
    else:
        names = tuple(MISSING_CODES)
    codes = []
    for name in names:
        codes.extend(c for c in MISSING_CODES[name] if c not in codes)
    return tuple(codes)


# ---------------------------------------------------------------- pending values (check mode's predictions)
# What a check run gives a resource it predicts but has not made: "pending:<kind>" or "pending:<kind>/<name>" in
# place of the id or ARN AWS would give it. The roles make them with the filter aews.eks.pending and tell them apart
# with the test aews.eks.pending; a module given one in check mode takes the resource as one that will exist (it
# does not look it up) and predicts. AWS rejects the value as an id, so one that reaches a real run fails there.
PENDING_PREFIX = "pending:"
# The kinds of resource a check run predicts before an id exists for them.
PENDING_KINDS = ("vpc", "subnet", "security-group", "instance-profile")


def pending(kind, name=None):
    """The pending value of a resource of ``kind`` (one of PENDING_KINDS), named ``name`` when given."""
    if kind not in PENDING_KINDS:
        raise ValueError(f"{kind!r} is not one of {', '.join(PENDING_KINDS)}")
    if name is not None and not str(name):
        raise ValueError("the name of a pending value cannot be empty")
    return PENDING_PREFIX + kind + (f"/{name}" if name is not None else "")


def is_pending(value):
    """Whether ``value`` is a pending value (a string made by ``pending``)."""
    return isinstance(value, str) and value.startswith(PENDING_PREFIX)
