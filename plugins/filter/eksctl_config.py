# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: eksctl_config
short_description: An eksctl ClusterConfig as the aews.eks cluster definition
version_added: 0.1.0
author: aews.eks maintainers (@aews)
extends_documentation_fragment:
  - aews.eks.filter_errors
description:
  - Converts an eksctl C(eksctl.io/v1alpha5) C(ClusterConfig) into the collection's cluster definition, the
    value of C(aews_eks_cluster) that C(site.yml) converges AWS to, with eksctl's defaults applied
    (VPC CIDR C(192.168.0.0/16), a single NAT gateway, public endpoint, nodegroups of two C(m5.large) on
    C(AmazonLinux2023) with 80 GiB gp3 volumes and IMDSv2, the default add-ons, and so on).
  - The document is checked as eksctl's strict schema checks it; every unknown key is an error naming its
    path (for example C(managedNodeGroups[0].foo)).
  - Sections eksctl accepts but the collection does not support yet (self-managed C(nodeGroups),
    C(fargateProfiles), C(karpenter), C(gitops), C(identityProviders), C(iamIdentityMappings),
    C(accessConfig.accessEntries), custom AMIs, launch templates, and others) are errors naming each path,
    never dropped. Such a section left empty or at eksctl's default value (C(privateCluster.enabled=false),
    C(instanceSelector={}), C(securityGroups.withLocal=null)) passes.
  - Problems are reported together, one per line with its ClusterConfig path, in one error. Every schema problem
    (unknown keys, wrong types at any depth, null list entries, unsupported sections) comes first, then every
    value eksctl would reject, then the problems the cluster definition's own checks
    (P(aews.eks.cluster_definition#filter)) find in the converted definition, one for each nodegroup, add-on,
    service account or section, named by ClusterConfig path (C(kubernetesNetworkConfig.serviceIPv4CIDR)). A
    value of the wrong type is reported and then taken as unset; what follows from it is not reported.
  - The converted definition carries C(source.paths), so that the problems the definition role finds later
    (those that need AWS or the SSH key file) name the ClusterConfig path too (C(managedNodeGroups[0].instanceType),
    C(metadata.version)), and C(source.subnet_cidrs), the CIDRs given with the ids of existing subnets, which eksctl
    compares with the subnets' own.
  - The Kubernetes version and AMI family are kept as written. Give O(eks_versions) (the versions EKS
    C(DescribeClusterVersions) lists) to fail here on a version EKS no longer offers; otherwise the definition
    role (M(aews.eks.eks_definition_check)) refuses it before any change, naming C(metadata.version). C(AmazonLinux2) with Kubernetes 1.33 or later is
    always an error, as AL2 AMIs stop at 1.32.
  - C(wellKnownPolicies) of service accounts and add-ons become the controller names of
    M(aews.eks.eks_irsa) (C(ebsCSIController) is V(ebs-csi), C(autoScaler) is V(cluster-autoscaler), and so on);
    a service account's C(attachPolicy) becomes the inline policy C(attachPolicy).
options:
  _input:
    description:
      - The ClusterConfig, as a mapping or as YAML or JSON text (for example from P(ansible.builtin.file#lookup)).
    type: raw
    required: true
  eks_versions:
    description:
      - The Kubernetes versions EKS offers. When given, a C(metadata.version) outside this list is an error.
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: Converge AWS to an eksctl ClusterConfig
  ansible.builtin.set_fact:
    aews_eks_cluster: "{{ lookup('ansible.builtin.file', eksctl_config_file) | aews.eks.eksctl_config }}"

- name: The same, refusing versions EKS no longer offers
  ansible.builtin.set_fact:
    aews_eks_cluster: >-
      {{ lookup('ansible.builtin.file', eksctl_config_file)
         | aews.eks.eksctl_config(eks_versions=['1.31', '1.32', '1.33']) }}
"""

RETURN = r"""
_value:
  description:
    - The cluster definition, as C(docs/cluster-definition.md) describes it, with eksctl's defaults filled in.
  type: dict
  sample:
    name: myeks
    region: ap-northeast-2
    version: "1.25"
    tags: {}
    vpc: {cidr: 172.20.0.0/16, availability_zones: [ap-northeast-2a, ap-northeast-2c], nat: single}
    endpoint: {public_access: true, private_access: false}
    kubernetes_network: {ip_family: ipv4}
    iam: {with_oidc: false, vpc_resource_controller_policy: true}
    logging: {types: []}
    nodegroups:
      - name: mynodegroup
        instance_types: [t3.medium]
        ami_family: AmazonLinux2
        min_size: 2
        desired_size: 2
        max_size: 2
        volume: {size: 30, type: gp3, iops: 3000, throughput: 125}
        labels: {alpha.eksctl.io/cluster-name: myeks, alpha.eksctl.io/nodegroup-name: mynodegroup}
        tags: {alpha.eksctl.io/nodegroup-name: mynodegroup, alpha.eksctl.io/nodegroup-type: managed}
        ssh: {allow: true, public_key_path: ~/.ssh/id_rsa.pub}
        private_networking: false
        imds: {disable_imdsv1: false, disable_pod_imds: false}
    addons: [{name: vpc-cni}, {name: kube-proxy}, {name: coredns}, {name: metrics-server}]
"""

from ansible.errors import AnsibleFilterError

# The collection's module_utils are imported when a filter runs, not with this file: Ansible loads every filter file
# of the collection in each worker that resolves an unqualified filter name, and most tasks use none of these.
from ansible_collections.aews.eks.plugins.plugin_utils.filter_errors import check_errors
from ansible_collections.aews.eks.plugins.plugin_utils.filter_errors import reported


def _definition_problem(definition):
    """The first problem the cluster definition's own checks find (the definition role's, minus the files and
    what only AWS knows), as (definition path, problem), or None."""
    from ansible_collections.aews.eks.plugins.module_utils._eks.definition import DefinitionError
    from ansible_collections.aews.eks.plugins.module_utils._eks.definition import normalize

    try:
        normalize(definition, check_files=False)
    except DefinitionError as e:
        return (e.field, e.problem)
    return None


def eksctl_config(config, eks_versions=None, errors="raise"):
    if eks_versions is not None and not isinstance(eks_versions, (list, tuple)):
        raise AnsibleFilterError("aews.eks.eksctl_config: eks_versions must be a list of versions")
    from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl import EksctlConfigError
    from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl import convert

    check_errors("eksctl_config", errors)
    try:
        return convert(config, eks_versions=eks_versions, definition_check=_definition_problem)
    except EksctlConfigError as e:
        return reported(e, errors, f"aews.eks.eksctl_config: {e}", cause=e)


class FilterModule:
    def filters(self):
        return {"eksctl_config": eksctl_config}
