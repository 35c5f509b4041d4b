#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_irsa
short_description: Manage the IAM role of Kubernetes service accounts (IRSA or EKS Pod Identity)
version_added: 0.1.0
description:
  - What C(eksctl create iamserviceaccount) does, as an idempotent module. The IAM role, its trust
    policy, its managed and inline policies, and in O(mode=pod_identity) the pod identity associations.
  - In O(mode=irsa) the trust is exactly the one eksctl writes. C(Federated) is the cluster's IAM OIDC
    provider ARN, the action is C(sts:AssumeRoleWithWebIdentity), and the conditions are C(StringEquals)
    C(ISSUER:sub = system:serviceaccount:NAMESPACE:NAME) and C(ISSUER:aud = sts.amazonaws.com).
    A pattern uses C(StringLike) for C(ISSUER:sub). Partitions C(aws), C(aws-cn) and C(aws-us-gov)
    come from the cluster ARN.
  - The cluster's IAM OIDC provider must exist (see M(aews.eks.eks_oidc_provider)). The module fails
    before any change when it does not. In check mode it warns instead and predicts the role, since an
    earlier task of the same run may only have predicted the provider.
  - In O(mode=pod_identity) the trust names the service principal C(pods.eks.amazonaws.com) with
    C(sts:AssumeRole) and C(sts:TagSession), and each service account gets a pod identity association.
  - Trust and inline policies are compared by meaning (order, single values versus lists), so a re-run
    changes nothing. The module owns the trust statements that name this cluster's OIDC provider
    (O(mode=irsa)) or C(pods.eks.amazonaws.com) (O(mode=pod_identity)). Statements added by someone else
    stay, unless O(purge_trust=true).
  - Roles this module makes carry the tags C(aews.eks/cluster-name), C(aews.eks/service-accounts)
    (C(NAMESPACE/NAME) separated by spaces, with C(*) written as C(@) and C(?) as C(+) because IAM
    tag values allow neither) and C(aews.eks/service-account-mode). M(aews.eks.eks_irsa_info),
    M(aews.eks.eks_oidc_provider) and teardown find the roles by these tags.
  - The module does not talk to Kubernetes. It returns the ServiceAccount manifests, with the labels and
    annotations of O(service_accounts). In O(mode=irsa) they carry the annotation C(eks.amazonaws.com/role-arn).
    Apply them with M(kubernetes.core.k8s) (see EXAMPLES), or skip that to get the role only
    (C(eksctl create iamserviceaccount --role-only)). The C(aews.eks.addons) role applies those of the cluster
    definition when asked to.
author:
  - aews.eks maintainers (@aews)
options:
  cluster_name:
    description:
      - Name of the EKS cluster. It must exist. Its ARN gives the account and partition. In O(mode=irsa),
        its C(identity.oidc.issuer) gives the OIDC provider.
    type: str
    required: true
  service_accounts:
    description:
      - The Kubernetes service accounts that may assume the role.
      - Required with O(state=present). With O(state=absent), used to derive the role name when
        O(role_name) is not given.
      - In O(mode=irsa) a O(service_accounts[].namespace) or O(service_accounts[].name) may contain the
        wildcards C(*) and C(?). The trust then matches the subject with C(StringLike).
    type: list
    elements: dict
    suboptions:
      namespace:
        description: The namespace of the service account.
        type: str
        required: true
      name:
        description: The name of the service account.
        type: str
        required: true
      labels:
        description:
          - Labels of the ServiceAccount manifest (eksctl C(metadata.labels)), besides the collection's
            C(app.kubernetes.io/managed-by=aews.eks).
          - Keys and values are checked as the Kubernetes API checks them, before any AWS call.
        type: dict
      annotations:
        description:
          - Annotations of the ServiceAccount manifest (eksctl C(metadata.annotations)), for example
            C(eks.amazonaws.com/sts-regional-endpoints) or C(eks.amazonaws.com/token-expiration).
          - In O(mode=irsa) the module writes C(eks.amazonaws.com/role-arn) itself; an annotation of that key
            naming another role is refused, as is one in O(mode=pod_identity), which needs none.
        type: dict
  mode:
    description:
      - V(irsa) trusts the cluster's IAM OIDC provider (IAM roles for service accounts).
      - V(pod_identity) trusts the EKS Pod Identity service and manages a pod identity association per
        service account. The EKS Pod Identity Agent add-on must run on the cluster for pods to use it.
    type: str
    choices: [irsa, pod_identity]
    default: irsa
  role_name:
    description:
      - Name of the IAM role.
      - Defaults to C(CLUSTER-NAMESPACE-NAME) for one service account. A longer name is cut to IAM's
        64 characters and ends with a hash of the full name, so it stays unique.
      - Required when O(service_accounts) lists several service accounts or a pattern.
    type: str
  audiences:
    description:
      - The audiences (C(aud)) the trust accepts, in O(mode=irsa).
    type: list
    elements: str
    default: [sts.amazonaws.com]
  managed_policies:
    description:
      - ARNs of managed policies to attach.
    type: list
    elements: str
    aliases: [managed_policy_arns, attach_policy_arns]
  inline_policies:
    description:
      - Inline policies by name. Each one is a policy document, as a dict or a JSON string.
    type: dict
  well_known_policies:
    description:
      - Permissions of well-known controllers, as their projects document them.
      - V(vpc-cni) attaches C(AmazonEKS_CNI_Policy). V(vpc-cni-ipv6) puts the inline C(AmazonEKS_CNI_IPv6_Policy)
        AWS documents for the VPC CNI of an IPv6 cluster. V(ebs-csi) attaches
        C(service-role/AmazonEBSCSIDriverPolicy). V(efs-csi) attaches
        C(service-role/AmazonEFSCSIDriverPolicy).
      - V(aws-load-balancer-controller), V(cluster-autoscaler), V(external-dns) and V(cert-manager) put
        an inline policy. The cluster-autoscaler one limits scaling to Auto Scaling groups tagged
        C(k8s.io/cluster-autoscaler/CLUSTER=owned).
    type: list
    elements: str
    choices: [vpc-cni, vpc-cni-ipv6, ebs-csi, efs-csi, aws-load-balancer-controller, cluster-autoscaler, external-dns,
              cert-manager]
  purge_policies:
    description:
      - Detach managed policies and delete inline policies that are not asked for by O(managed_policies),
        O(inline_policies) or O(well_known_policies).
    type: bool
    default: false
  purge_trust:
    description:
      - Remove trust statements the module does not own.
    type: bool
    default: false
  state:
    description:
      - V(absent) deletes the pod identity associations that point to the role, detaches its managed
        policies, deletes its inline policies and deletes the role.
      - Only a role tagged for this cluster by this collection is deleted. Any other role makes the
        module fail.
    type: str
    choices: [present, absent]
    default: present
attributes:
  check_mode:
    description: Can run in check mode and return the predicted resource and changes.
    support: full
  diff_mode:
    description: Returns before and after of the resource in diff mode.
    support: full
notes:
  - IAM is eventually consistent. A role made a moment ago may take a few seconds before STS lets
    pods assume it.
seealso:
  - module: aews.eks.eks_oidc_provider
  - module: aews.eks.eks_irsa_info
  - module: kubernetes.core.k8s
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
  - aews.eks.iam_propagation
  - aews.eks.iam_role
"""

EXAMPLES = r"""
- name: Role for the VPC CNI (kube-system/aws-node), as eksctl makes it
  aews.eks.eks_irsa:
    cluster_name: demo
    service_accounts:
      - namespace: kube-system
        name: aws-node
    well_known_policies: [vpc-cni]
  register: cni_role

- name: Point the vpc-cni add-on at its role
  aews.eks.eks_addon:
    cluster_name: demo
    name: vpc-cni
    service_account_role_arn: "{{ cni_role.role.arn }}"

- name: Role for the AWS Load Balancer Controller, and its ServiceAccount
  aews.eks.eks_irsa:
    cluster_name: demo
    service_accounts:
      - namespace: kube-system
        name: aws-load-balancer-controller
    well_known_policies: [aws-load-balancer-controller]
    tags:
      team: platform
  register: lbc_role

- name: Its ServiceAccount with labels and annotations of your own
  aews.eks.eks_irsa:
    cluster_name: demo
    service_accounts:
      - namespace: kube-system
        name: aws-load-balancer-controller
        labels:
          app.kubernetes.io/name: aws-load-balancer-controller
        annotations:
          eks.amazonaws.com/sts-regional-endpoints: "true"
    well_known_policies: [aws-load-balancer-controller]
  register: lbc_role

- name: Create or re-annotate the ServiceAccount (needs a kubeconfig for the cluster)
  kubernetes.core.k8s:
    kubeconfig: "{{ playbook_dir }}/kubeconfig-demo"
    state: present
    definition: "{{ item }}"
  loop: "{{ lbc_role.service_account_manifests }}"

- name: One role for every service account of a namespace (a pattern)
  aews.eks.eks_irsa:
    cluster_name: demo
    role_name: demo-reports-readers
    service_accounts:
      - namespace: reports
        name: "*"
    managed_policies:
      - arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess

- name: Inline policy given as a dict, and a longer session
  aews.eks.eks_irsa:
    cluster_name: demo
    service_accounts:
      - namespace: billing
        name: exporter
    max_session_duration: 7200
    inline_policies:
      read-cur:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: ["s3:GetObject"]
            Resource: ["arn:aws:s3:::demo-cur/*"]

- name: EKS Pod Identity instead of IRSA
  aews.eks.eks_irsa:
    cluster_name: demo
    mode: pod_identity
    service_accounts:
      - namespace: kube-system
        name: ebs-csi-controller-sa
    well_known_policies: [ebs-csi]

- name: Delete the role (and its pod identity associations)
  aews.eks.eks_irsa:
    cluster_name: demo
    service_accounts:
      - namespace: kube-system
        name: aws-node
    state: absent
"""

RETURN = r"""
role:
  description: The role as it is (or, in check mode, would be). Null when absent.
  returned: always
  type: dict
  contains:
    arn:
      description: ARN of the role.
      type: str
      sample: arn:aws:iam::123456789012:role/demo-kube-system-aws-node
    name:
      description: Name of the role.
      type: str
    path:
      description: Path of the role.
      type: str
    role_id:
      description: The role's unique ID (not known in check mode before creation).
      type: str
    create_date:
      description: When the role was created.
      type: str
    trust_policy:
      description: The trust (assume role) policy document, as IAM holds it.
      type: dict
    description:
      description: Description of the role.
      type: str
    max_session_duration:
      description: Maximum session duration in seconds.
      type: int
    permissions_boundary:
      description: ARN of the permissions boundary policy, or null.
      type: str
    managed_policies:
      description: ARNs of the attached managed policies.
      type: list
      elements: str
    inline_policies:
      description: Inline policy documents by name.
      type: dict
    tags:
      description: Tags of the role.
      type: dict
service_account_manifests:
  description:
    - ServiceAccount manifests for the service accounts named exactly (patterns have none), with their
      O(service_accounts[].labels) and O(service_accounts[].annotations) and the label
      C(app.kubernetes.io/managed-by=aews.eks).
    - In O(mode=irsa) each carries the annotation C(eks.amazonaws.com/role-arn).
  returned: when O(state=present)
  type: list
  elements: dict
  sample:
    - apiVersion: v1
      kind: ServiceAccount
      metadata:
        name: aws-node
        namespace: kube-system
        labels:
          app.kubernetes.io/managed-by: aews.eks
        annotations:
          eks.amazonaws.com/sts-regional-endpoints: "true"
          eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/demo-kube-system-aws-node
pod_identity_associations:
  description: The pod identity association of each service account.
  returned: when O(mode=pod_identity) and O(state=present)
  type: list
  elements: dict
  contains:
    cluster_name:
      description: The cluster.
      type: str
    namespace:
      description: Namespace of the service account.
      type: str
    service_account:
      description: Name of the service account.
      type: str
    role_arn:
      description: The role the association points to.
      type: str
    association_id:
      description: ID of the association (null in check mode before creation).
      type: str
    association_arn:
      description: ARN of the association.
      type: str
changes:
  description:
    - The changes made (or, in check mode, to be made), in order, one change record each with C(resource), C(action),
      C(why), C(call) (the AWS operation) and C(params) (its parameters).
  returned: always
  type: list
  elements: dict
  sample: [{"resource": "IAM role prod-kube-system-aws-node", "action": "attach_policy",
            "why": "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy", "call": "attach_role_policy",
            "params": {"RoleName": "prod-kube-system-aws-node",
                       "PolicyArn": "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"}}]
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks.iam_policies import WELL_KNOWN
from ansible_collections.aews.eks.plugins.module_utils._eks.irsa import ensure_irsa

ARGUMENT_SPEC = eks.argument_spec(
    [eks.CLUSTER_NAME, eks.RESOURCE, eks.IAM_PROPAGATION, eks.ROLE],
    service_accounts=dict(
        type="list",
        elements="dict",
        options=dict(
            namespace=dict(type="str", required=True),
            name=dict(type="str", required=True),
            labels=dict(type="dict"),
            annotations=dict(type="dict"),
        ),
    ),
    mode=dict(type="str", choices=["irsa", "pod_identity"], default="irsa"),
    role_name=dict(type="str"),
    audiences=dict(type="list", elements="str", default=["sts.amazonaws.com"]),
    managed_policies=dict(type="list", elements="str", aliases=["managed_policy_arns", "attach_policy_arns"]),
    inline_policies=dict(type="dict"),
    well_known_policies=dict(type="list", elements="str", choices=list(WELL_KNOWN)),
    purge_policies=dict(type="bool", default=False),
    purge_trust=dict(type="bool", default=False),
)


def main():
    eks.run_module(ARGUMENT_SPEC, ensure_irsa, required_if=[("state", "present", ["service_accounts"])])


if __name__ == "__main__":
    main()
