#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_cluster
short_description: Create, reconcile, upgrade and delete an Amazon EKS control plane
version_added: 0.1.0
description:
  - Manages one Amazon EKS cluster (the control plane) end to end.
  - Creates the cluster with every option below and waits for it to be C(ACTIVE); a cluster that
    reaches C(FAILED) stops the wait at once with the reason AWS gives.
  - Updates in place everything EKS allows, each as its own asynchronous EKS update, issued one after
    another and each waited for through C(DescribeUpdate) - endpoint access and public CIDRs, logging,
    subnets and security groups within the cluster's VPC, the authentication mode, secrets encryption,
    the upgrade policy and tags.
  - Upgrades the Kubernetes version one minor version at a time (V(1.30) to V(1.32) is two updates).
  - Options that are not given are left as they are on an existing cluster.
  - Attributes EKS cannot change in place (O(role_arn), the VPC of O(subnet_ids), O(kubernetes_network_config),
    an O(encryption) key once set) fail with a message naming each one, before any change is made.
  - With O(state=absent), deletes the cluster, refusing while nodegroups or Fargate profiles remain unless
    O(force=true).
  - With O(node_security_group_id), also adds the two ingress rules eksctl's cluster stack makes between the cluster
    security group EKS creates and the shared node security group, in the same run
    (as M(aews.eks.eks_security_group_rules) does).
author:
  - aews.eks maintainers (@aews)
options:
  name:
    description:
      - The name of the cluster.
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the cluster, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  version:
    description:
      - The Kubernetes minor version, for example V("1.33").
      - When creating, EKS's default version is used if not given.
      - A higher version than the cluster's upgrades it one minor version at a time. A lower version, or
        one EKS does not offer (C(DescribeClusterVersions)), fails before any change with the list of the
        versions EKS offers.
    type: str
  role_arn:
    description:
      - The ARN of the IAM role the control plane uses (trusting V(eks.amazonaws.com)).
      - Required to create a cluster. It cannot change afterwards.
    type: str
  subnet_ids:
    description:
      - The subnets for the control plane's network interfaces, in at least two availability zones.
      - Required to create a cluster. Can be changed later to other subnets of the same VPC.
    type: list
    elements: str
  security_group_ids:
    description:
      - Security groups attached to the control plane's network interfaces, besides the cluster security
        group EKS creates. Can be changed later to other groups of the same VPC; V([]) removes them all.
    type: list
    elements: str
  endpoint_public_access:
    description:
      - Whether the Kubernetes API server endpoint is reachable from the internet.
      - EKS creates clusters with V(true).
      - O(endpoint_public_access) and O(endpoint_private_access) cannot both be V(false).
    type: bool
  endpoint_private_access:
    description:
      - Whether the Kubernetes API server endpoint is reachable from within the VPC.
      - EKS creates clusters with V(false).
    type: bool
  public_access_cidrs:
    description:
      - The IPv4 CIDR blocks allowed to reach the public endpoint. EKS uses V(0.0.0.0/0) when not given.
    type: list
    elements: str
  logging:
    description:
      - The control plane log types sent to CloudWatch Logs. V(all) stands for all five.
      - Types not listed are disabled; V([]) disables them all.
    type: list
    elements: str
    choices: [api, audit, authenticator, controllerManager, scheduler, all]
  encryption:
    description:
      - The ARN of the KMS key that encrypts Kubernetes secrets.
      - Associated with an existing cluster that has none; once set, it cannot change.
    type: str
  kubernetes_network_config:
    description:
      - The Kubernetes network settings. Set at creation only.
    type: dict
    suboptions:
      ip_family:
        description:
          - The IP family of pod and service addresses.
        type: str
        choices: [ipv4, ipv6]
      service_ipv4_cidr:
        description:
          - The CIDR block service addresses are given from (IPv4 only). EKS picks one when not given.
        type: str
  access_config:
    description:
      - How IAM principals are given access to the Kubernetes API.
    type: dict
    suboptions:
      authentication_mode:
        description:
          - V(CONFIG_MAP) uses only the C(aws-auth) ConfigMap, V(API) only EKS access entries,
            V(API_AND_CONFIG_MAP) both.
          - EKS changes the mode one way only, V(CONFIG_MAP) to V(API_AND_CONFIG_MAP) to V(API); a change
            that skips a step is made as two updates, a change backwards fails.
        type: str
        choices: [CONFIG_MAP, API_AND_CONFIG_MAP, API]
      bootstrap_cluster_creator_admin_permissions:
        description:
          - Whether the IAM principal that creates the cluster gets a cluster-admin access entry.
          - Used at creation only. EKS grants it when not given.
        type: bool
  bootstrap_self_managed_addons:
    description:
      - Whether EKS installs the self-managed vpc-cni, kube-proxy and coredns when it creates the cluster.
      - Used at creation only. V(false), as eksctl does, so that they can be installed as EKS add-ons.
    type: bool
    default: false
  upgrade_policy:
    description:
      - What happens when the cluster's version leaves standard support.
    type: dict
    suboptions:
      support_type:
        description:
          - V(EXTENDED) keeps the version in (paid) extended support, V(STANDARD) upgrades the cluster
            automatically at the end of standard support.
        type: str
        choices: [STANDARD, EXTENDED]
  zonal_shift:
    description:
      - ARC zonal shift of the cluster (C(zonalShiftConfig)); changed in place. Left as it is when not set.
    type: bool
  control_plane_tier:
    description:
      - Provisioned Control Plane tier of the cluster (C(controlPlaneScalingConfig.tier)); set at creation and changed
        in place (C(UpdateClusterConfig)). Left as it is when not set; EKS's default is V(standard).
    type: str
    choices: [standard, tier-xl, tier-2xl, tier-4xl, tier-8xl]
  auto_mode:
    description:
      - EKS Auto Mode (eksctl C(autoModeConfig)) - compute with built-in node pools (C(computeConfig)), block storage
        (C(storageConfig.blockStorage)) and load balancing (C(kubernetesNetworkConfig.elasticLoadBalancing)), which
        EKS turns on and off together. Set at creation and changed in place (C(UpdateClusterConfig)); left as it is
        when not set.
      - Auto Mode needs the authentication mode C(API) or C(API_AND_CONFIG_MAP) (O(access_config)), and the cluster
        role the policies C(AmazonEKSComputePolicy), C(AmazonEKSBlockStoragePolicy), C(AmazonEKSLoadBalancingPolicy)
        and C(AmazonEKSNetworkingPolicy).
    type: dict
    suboptions:
      enabled:
        description: Auto Mode on (all three capabilities) or off.
        type: bool
        required: true
      node_pools:
        description:
          - The built-in node pools, C(general-purpose) and C(system); both when not set, C([]) for none.
          - Changed in place.
        type: list
        elements: str
        choices: [general-purpose, system]
      node_role_arn:
        description:
          - The IAM role of the nodes Auto Mode launches (trusting C(ec2.amazonaws.com), with
            C(AmazonEKSWorkerNodeMinimalPolicy) and C(AmazonEC2ContainerRegistryPullOnly)). Required with node pools.
          - EKS cannot change it while Auto Mode is on; a different role fails before any change.
        type: str
  force:
    description:
      - With O(state=absent), delete the cluster's nodegroups (waiting for them) and Fargate profiles first.
      - Without it, deleting a cluster that still has nodegroups or Fargate profiles fails, listing them.
    type: bool
    default: false
  node_security_group_id:
    description:
      - The shared node security group (the group every nodegroup's nodes are in). Once the cluster has its cluster
        security group (an existing cluster, or one this run created and waited for), the run reads both groups in
        one C(DescribeSecurityGroups) call and adds the rules either lacks, one C(AuthorizeSecurityGroupIngress) per
        group - all traffic to the node group from the cluster security group (C(From the EKS cluster security
        group)) and to the cluster security group from the node group (C(From the shared node security group)).
        Rules the groups have besides are left as they are; a rule already there with another description is not
        changed.
      - The rules are in RV(changes) after the cluster's changes, the groups in RV(security_groups), and in diff mode
        under C(security_groups) of the diff.
      - A cluster this run creates with O(wait=false) does not get them in this run (on AWS it is C(CREATING), without
        its security group yet), whatever its status; RV(security_groups) is not returned, and a later run, or
        M(aews.eks.eks_security_group_rules) once it is C(ACTIVE), adds them. With O(wait=true) the group is looked
        up before the cluster is created, so that a group that does not exist fails before any change.
      - In check mode, a pending value (P(aews.eks.pending#filter), a group still to be made) is taken as a group
        without rules, not looked up, and the rules predicted; outside check mode it is refused.
      - Ignored with O(state=absent).
    type: str
  read_identity_providers:
    description:
      - Also return the cluster's OIDC identity provider configs (C(ListIdentityProviderConfigs), then
        C(DescribeIdentityProviderConfig) of each) in RV(identity_providers), as M(aews.eks.eks_identity_provider_info)
        returns them, so that a playbook converging them needs no run of its own to read them.
      - In check mode, none for a cluster still to be created.
    type: bool
    default: false
notes:
  - Updates are issued one after another because EKS runs one update at a time. With O(wait=false) the
    module still waits for each update to end before issuing the next one, and returns right after the
    last call. A cluster that is still being created or updated is waited for before any update.
  - Tags are set with C(TagResource) and C(UntagResource); keys and values are kept exactly as given.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - aews.eks.wait
  - aews.eks.iam_propagation
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Returns the predicted cluster and the updates that would be made; makes no change.
  diff_mode:
    support: full
    description: Returns the cluster before and after.
"""

EXAMPLES = r"""
- name: Create the seed cluster with a public endpoint (eksctl's default)
  aews.eks.eks_cluster:
    name: myeks
    version: "1.33"
    role_arn: arn:aws:iam::111122223333:role/myeks-cluster-role
    subnet_ids:
      - subnet-0a1b2c3d4e5f60001
      - subnet-0a1b2c3d4e5f60002
    security_group_ids:
      - sg-0a1b2c3d4e5f60001
    endpoint_public_access: true
    endpoint_private_access: false
    kubernetes_network_config:
      ip_family: ipv4
    tags:
      env: study
  register: myeks

- name: Public and private endpoint, the public one open to the office only
  aews.eks.eks_cluster:
    name: myeks
    endpoint_public_access: true
    endpoint_private_access: true
    public_access_cidrs:
      - 203.0.113.0/24

- name: Private endpoint only (reachable from within the VPC)
  aews.eks.eks_cluster:
    name: myeks
    endpoint_public_access: false
    endpoint_private_access: true

- name: Send all control plane logs to CloudWatch, encrypt secrets and use access entries only
  aews.eks.eks_cluster:
    name: myeks
    logging:
      - all
    encryption: arn:aws:kms:ap-northeast-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
    access_config:
      authentication_mode: API

- name: Upgrade the control plane from 1.31 to 1.33 (two updates, one minor version at a time)
  aews.eks.eks_cluster:
    name: myeks
    version: "1.33"
    upgrade_policy:
      support_type: STANDARD
    wait_timeout: 3600

- name: EKS Auto Mode (compute, block storage, load balancing), both built-in node pools
  aews.eks.eks_cluster:
    name: myeks
    role_arn: arn:aws:iam::111122223333:role/myeks-cluster-role
    subnet_ids: "{{ subnet_ids }}"
    access_config:
      authentication_mode: API
    auto_mode:
      enabled: true
      node_role_arn: arn:aws:iam::111122223333:role/myeks-auto-mode-node-role

- name: Start the creation without waiting; a later run with wait=true waits for it
  aews.eks.eks_cluster:
    name: myeks
    role_arn: arn:aws:iam::111122223333:role/myeks-cluster-role
    subnet_ids: "{{ subnet_ids }}"
    wait: false

- name: Converge the cluster, and the rules between its security group and the shared node group, in one run
  aews.eks.eks_cluster:
    name: myeks
    role_arn: arn:aws:iam::111122223333:role/myeks-cluster-role
    subnet_ids: "{{ subnet_ids }}"
    node_security_group_id: "{{ shared_node_sg_id }}"
  register: myeks
  # myeks.security_groups: the two groups with their ingress rules from other groups

- name: Delete the cluster together with its nodegroups and Fargate profiles
  aews.eks.eks_cluster:
    name: myeks
    state: absent
    force: true
"""

RETURN = r"""
cluster:
  description:
    - The cluster as C(DescribeCluster) returns it, keys in snake_case (tag keys and values as they are).
    - In check mode, the predicted cluster. Empty after O(state=absent).
  returned: always
  type: dict
  contains:
    name:
      description: The cluster name.
      type: str
      sample: myeks
    arn:
      description: The cluster ARN.
      type: str
      sample: arn:aws:eks:ap-northeast-2:111122223333:cluster/myeks
    status:
      description: C(CREATING), C(ACTIVE), C(UPDATING), C(DELETING) or C(FAILED).
      type: str
      sample: ACTIVE
    version:
      description: The Kubernetes version.
      type: str
      sample: "1.33"
    platform_version:
      description: The EKS platform version.
      type: str
      sample: eks.9
    endpoint:
      description: The Kubernetes API server URL.
      type: str
      sample: https://0123456789ABCDEF.gr7.ap-northeast-2.eks.amazonaws.com
    certificate_authority:
      description: The cluster's certificate authority.
      type: dict
      contains:
        data:
          description: The base64-encoded CA certificate, for a kubeconfig.
          type: str
    identity:
      description: The cluster's identity provider.
      type: dict
      contains:
        oidc:
          description: The OpenID Connect issuer.
          type: dict
          sample: {"issuer": "https://oidc.eks.ap-northeast-2.amazonaws.com/id/0123456789ABCDEF"}
    role_arn:
      description: The IAM role of the control plane.
      type: str
    resources_vpc_config:
      description: Network settings, including the endpoint settings and the security group EKS created.
      type: dict
      contains:
        vpc_id:
          description: The VPC.
          type: str
        subnet_ids:
          description: The subnets.
          type: list
          elements: str
        security_group_ids:
          description: The additional security groups.
          type: list
          elements: str
        cluster_security_group_id:
          description: The cluster security group EKS created.
          type: str
        endpoint_public_access:
          description: Whether the public endpoint is on.
          type: bool
        endpoint_private_access:
          description: Whether the private endpoint is on.
          type: bool
        public_access_cidrs:
          description: The CIDR blocks allowed to reach the public endpoint.
          type: list
          elements: str
    kubernetes_network_config:
      description: The Kubernetes network settings.
      type: dict
      sample: {"ip_family": "ipv4", "service_ipv4_cidr": "10.100.0.0/16"}
    logging:
      description: The control plane logging configuration as EKS reports it.
      type: dict
    enabled_log_types:
      description: The log types that are on.
      type: list
      elements: str
      sample: [api, audit]
    encryption_config:
      description: The secrets encryption configuration.
      type: list
      elements: dict
    access_config:
      description: The authentication mode.
      type: dict
      sample: {"authentication_mode": "API_AND_CONFIG_MAP"}
    upgrade_policy:
      description: The upgrade policy.
      type: dict
      sample: {"support_type": "STANDARD"}
    compute_config:
      description: Auto Mode's compute capability (O(auto_mode)).
      type: dict
      returned: when EKS reports it
      sample: {"enabled": true, "node_pools": ["general-purpose", "system"],
               "node_role_arn": "arn:aws:iam::111122223333:role/myeks-auto-mode-node-role"}
    storage_config:
      description: Auto Mode's block storage capability.
      type: dict
      returned: when EKS reports it
      sample: {"block_storage": {"enabled": true}}
    zonal_shift_config:
      description: ARC zonal shift (O(zonal_shift)).
      type: dict
      returned: when EKS reports it
      sample: {"enabled": true}
    control_plane_scaling_config:
      description: Provisioned Control Plane tier (O(control_plane_tier)).
      type: dict
      returned: when EKS reports it
      sample: {"tier": "tier-xl"}
    tags:
      description: The cluster's tags.
      type: dict
      sample: {"env": "study"}
    updates:
      description:
        - The calls this run made (or would make, in check mode), in order, each with its type (the EKS
          update type, or C(CreateCluster), C(TagResource), C(UntagResource)) and parameters; EKS updates
          also have their id and status.
      returned: when O(state=present)
      type: list
      elements: dict
      sample: [{"type": "VersionUpdate", "params": {"version": "1.32"}, "id": "b5f0ba18", "status": "Successful"}]
changes:
  description:
    - The changes made (or that would be made, in check mode), in order, one record per call, each with the
      C(resource), the C(action) (V(create), V(tag), V(untag), V(update), V(associate), V(upgrade) or V(delete)),
      C(why) (what differs), the API C(call) and its C(params). Empty when nothing changes.
    - Then, with O(node_security_group_id), one record per security group that gets rules (C(resource)
      C(security group <id>), C(action) V(authorize), C(call) C(authorize_security_group_ingress)).
  returned: always
  type: list
  elements: dict
  sample: [{"resource": "cluster myeks", "action": "upgrade", "why": "version 1.32 -> 1.33",
            "call": "update_cluster_version", "params": {"name": "myeks", "version": "1.33"}}]
security_groups:
  description:
    - With O(node_security_group_id), the shared node security group and the cluster security group after the run
      (in check mode, predicted), sorted by id, as M(aews.eks.eks_security_group_rules) returns them.
  returned: with O(node_security_group_id) and O(state=present), once the cluster has its cluster security group
  type: list
  elements: dict
  contains:
    group_id:
      description: The group's id (a pending value in check mode for a group still to be made).
      type: str
      sample: sg-0123456789abcdef0
    group_name:
      description: The group's name.
      type: str
      sample: eks-cluster-sg-myeks-1234567890
    vpc_id:
      description: The group's VPC.
      type: str
      sample: vpc-0123456789abcdef0
    ingress_from_groups:
      description:
        - Its ingress rules from other groups, one per source group, with C(protocol) (C(-1) for all), C(from_port),
          C(to_port), C(source_group_id) and C(description).
      type: list
      elements: dict
      sample: [{"protocol": "-1", "from_port": null, "to_port": null, "source_group_id": "sg-0fedcba9876543210",
                "description": "From the shared node security group"}]
identity_providers:
  description: The cluster's OIDC identity provider configs, as M(aews.eks.eks_identity_provider_info) returns them.
  returned: with O(read_identity_providers) and O(state=present)
  type: list
  elements: dict
  sample: [{"identity_provider_config_name": "corp-oidc", "issuer_url": "https://oidc.example.com", "status": "ACTIVE"}]
deleted:
  description: What O(state=absent) deleted (or would delete, in check mode), in order.
  returned: when O(state=absent) deleted something
  type: list
  elements: dict
  sample:
    - {"type": "DeleteNodegroup", "params": {"nodegroups": ["ng-1"]}}
    - {"type": "DeleteCluster", "params": {"name": "myeks"}}
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks.cluster import AUTHENTICATION_MODES
from ansible_collections.aews.eks.plugins.module_utils._eks.cluster import LOG_TYPES
from ansible_collections.aews.eks.plugins.module_utils._eks.cluster import ensure

ARGUMENT_SPEC = eks.argument_spec(
    [eks.TAGS, eks.STATE, eks.WAIT, eks.IAM_PROPAGATION],
    name=dict(type="str", required=True),
    version=dict(type="str"),
    role_arn=dict(type="str"),
    subnet_ids=dict(type="list", elements="str"),
    security_group_ids=dict(type="list", elements="str"),
    endpoint_public_access=dict(type="bool"),
    endpoint_private_access=dict(type="bool"),
    public_access_cidrs=dict(type="list", elements="str"),
    logging=dict(type="list", elements="str", choices=list(LOG_TYPES) + ["all"]),
    encryption=dict(type="str"),
    kubernetes_network_config=dict(
        type="dict",
        options=dict(
            ip_family=dict(type="str", choices=["ipv4", "ipv6"]),
            service_ipv4_cidr=dict(type="str"),
        ),
    ),
    access_config=dict(
        type="dict",
        options=dict(
            authentication_mode=dict(type="str", choices=list(AUTHENTICATION_MODES)),
            bootstrap_cluster_creator_admin_permissions=dict(type="bool"),
        ),
    ),
    bootstrap_self_managed_addons=dict(type="bool", default=False),
    upgrade_policy=dict(
        type="dict",
        options=dict(support_type=dict(type="str", choices=["STANDARD", "EXTENDED"])),
    ),
    zonal_shift=dict(type="bool"),
    control_plane_tier=dict(type="str", choices=["standard", "tier-xl", "tier-2xl", "tier-4xl", "tier-8xl"]),
    auto_mode=dict(
        type="dict",
        options=dict(
            enabled=dict(type="bool", required=True),
            node_pools=dict(type="list", elements="str", choices=["general-purpose", "system"]),
            node_role_arn=dict(type="str"),
        ),
    ),
    force=dict(type="bool", default=False),
    read_identity_providers=dict(type="bool", default=False),
    node_security_group_id=dict(type="str"),
)


def main():
    eks.run_module(ARGUMENT_SPEC, ensure)


if __name__ == "__main__":
    main()
