#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_nodegroup
short_description: Manage an Amazon EKS managed nodegroup
version_added: 0.1.0
description:
  - Create, update in place, or delete one EKS managed nodegroup of a cluster.
  - Scaling, labels, taints, the update configuration and node repair change through C(UpdateNodegroupConfig);
    the Kubernetes version, the AMI release version and the launch template version through
    C(UpdateNodegroupVersion); tags through C(TagResource) and C(UntagResource). EKS takes one update at a
    time, so the updates of a run are made one after the other, each waited for.
  - Options that are not given are left as they are on the nodegroup.
  - The instance types, AMI type, subnets, disk size, remote access, capacity type, node role and launch
    template (its id or name) cannot change in place. When any of them differs the module fails before
    making any change, naming each one; such a change needs a new nodegroup.
author:
  - aews.eks maintainers (@aews)
options:
  cluster_name:
    description:
      - Name of the EKS cluster the nodegroup belongs to.
    type: str
    required: true
  name:
    description:
      - Name of the nodegroup.
    type: str
    required: true
    aliases: [nodegroup_name]
  state:
    description:
      - V(present) creates or updates the nodegroup, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  node_role_arn:
    description:
      - ARN of the IAM role of the nodes.
      - Needed to create the nodegroup; cannot change afterwards.
    type: str
  subnet_ids:
    description:
      - Subnets the nodes are launched in.
      - Needed to create the nodegroup; cannot change afterwards (compared without regard to order).
    type: list
    elements: str
  instance_types:
    description:
      - EC2 instance types of the nodes. Cannot change after creation (compared without regard to order).
      - Leave unset when the launch template sets the instance type.
    type: list
    elements: str
  ami_type:
    description:
      - AMI family of the nodes. V(CUSTOM) is what EKS reports for a launch template with its own AMI.
      - Cannot change after creation.
    type: str
    choices:
      - AL2_x86_64
      - AL2_x86_64_GPU
      - AL2_ARM_64
      - AL2023_x86_64_STANDARD
      - AL2023_ARM_64_STANDARD
      - AL2023_x86_64_NEURON
      - AL2023_x86_64_NVIDIA
      - AL2023_ARM_64_NVIDIA
      - BOTTLEROCKET_ARM_64
      - BOTTLEROCKET_x86_64
      - BOTTLEROCKET_ARM_64_FIPS
      - BOTTLEROCKET_x86_64_FIPS
      - BOTTLEROCKET_ARM_64_NVIDIA
      - BOTTLEROCKET_x86_64_NVIDIA
      - BOTTLEROCKET_ARM_64_NVIDIA_FIPS
      - BOTTLEROCKET_x86_64_NVIDIA_FIPS
      - WINDOWS_CORE_2019_x86_64
      - WINDOWS_FULL_2019_x86_64
      - WINDOWS_CORE_2022_x86_64
      - WINDOWS_FULL_2022_x86_64
      - WINDOWS_CORE_2025_x86_64
      - WINDOWS_FULL_2025_x86_64
      - CUSTOM
  capacity_type:
    description:
      - How the instances are bought. Cannot change after creation.
    type: str
    choices: [ON_DEMAND, SPOT, CAPACITY_BLOCK]
  scaling:
    description:
      - Sizes of the nodegroup's Auto Scaling group; C(min_size <= desired_size <= max_size) is checked before
        any call. The names are those of the cluster definition (C(min_size), C(desired_size), C(max_size)) and
        of eksctl; C(min), C(max) and C(desired) are accepted as aliases.
      - When the nodegroup is created without O(scaling), it gets 2/2/2 (as eksctl does).
      - Changing the sizes never replaces nodes (C(UpdateNodegroupConfig)).
    type: dict
    suboptions:
      min_size:
        description:
          - Minimum number of nodes. Needed, with O(scaling.max_size), to create the nodegroup.
        type: int
        aliases: [min]
      max_size:
        description:
          - Maximum number of nodes (1 or more). Needed, with O(scaling.min_size), to create the nodegroup.
        type: int
        aliases: [max]
      desired_size:
        description:
          - Number of nodes wanted now. At creation it defaults to O(scaling.min_size).
          - After creation, leave it unset when a cluster autoscaler manages the size, so that this module
            does not undo the autoscaler's choice. A new O(scaling.min_size) or O(scaling.max_size) that the
            current desired size falls outside of then fails, asking for O(scaling.desired_size).
        type: int
        aliases: [desired]
  disk_size:
    description:
      - Root volume size of the nodes in GiB. Not with O(launch_template). Cannot change after creation.
    type: int
  labels:
    description:
      - Kubernetes labels of the nodes. Values that differ are updated.
      - Labels on the nodegroup that are not given here are kept unless O(purge_labels=true).
    type: dict
  purge_labels:
    description:
      - Remove the nodegroup's labels that are not in O(labels). Ignored when O(labels) is not given.
    type: bool
    default: false
  taints:
    description:
      - Kubernetes taints of the nodes. A taint is identified, as EKS does, by its key and effect;
        a new value for the same key and effect updates it.
      - Taints on the nodegroup that are not given here are kept unless O(purge_taints=true).
    type: list
    elements: dict
    suboptions:
      key:
        description: The taint key.
        type: str
        required: true
      value:
        description: The taint value.
        type: str
      effect:
        description:
          - The taint effect, in the EKS spelling or the Kubernetes one.
        type: str
        required: true
        choices: [NO_SCHEDULE, NO_EXECUTE, PREFER_NO_SCHEDULE, NoSchedule, NoExecute, PreferNoSchedule]
  purge_taints:
    description:
      - Remove the nodegroup's taints that are not in O(taints). Ignored when O(taints) is not given.
    type: bool
    default: false
  update_config:
    description:
      - How many nodes may be unavailable during a version update.
    type: dict
    suboptions:
      max_unavailable:
        description: A number of nodes.
        type: int
      max_unavailable_percentage:
        description: A percentage of the nodes (1 to 100).
        type: int
  launch_template:
    description:
      - The EC2 launch template of the nodes. Its id or name cannot change after creation; its version can.
      - Not with O(disk_size) or O(remote_access), which belong in the launch template then.
      - With O(launch_template.data), the template named O(launch_template.name) is converged in the same run, before
        the nodegroup, as M(aews.eks.eks_launch_template) does it (made, or given a new version made its default when
        the data differ from those of its default version), and the nodegroup runs that version; moving a nodegroup
        to a new version replaces its nodes.
    type: dict
    suboptions:
      id:
        description:
          - Launch template id. One of O(launch_template.id) and O(launch_template.name) is needed.
          - Not with O(launch_template.data).
        type: str
      name:
        description: Launch template name.
        type: str
      version:
        description:
          - A version number, V($Default) or V($Latest). V($Default) and V($Latest) are resolved to the
            number they stand for now, so that a later run with the same value changes nothing unless the
            template has a new default or latest version.
          - At creation it defaults to V($Default); after creation, unset leaves the version as it is.
          - Not with O(launch_template.data).
        type: str
      data:
        description:
          - The template's C(LaunchTemplateData) (EC2's keys), checked against EC2's API model before any call, as
            O(aews.eks.eks_launch_template#module:launch_template_data) is.
        type: dict
      version_description:
        description: With O(launch_template.data), the description of a version this run makes.
        type: str
      tags:
        description: With O(launch_template.data), tags of the template (tags it has besides are kept).
        type: dict
  remote_access:
    description:
      - SSH access to the nodes. Not with O(launch_template). Cannot change after creation.
    type: dict
    suboptions:
      ec2_ssh_key:
        description: Name of the EC2 key pair.
        type: str
      source_security_groups:
        description: Security groups allowed to reach the nodes on port 22.
        type: list
        elements: str
  version:
    description:
      - Kubernetes minor version of the nodes, for example V(1.31). At creation it defaults to the control
        plane's version.
      - It may not be ahead of the control plane, nor further behind it than the Kubernetes version skew
        policy allows for the kubelet (three minor versions from 1.28 on, two before), nor older than the
        nodegroup's current version.
    type: str
  release_version:
    description:
      - AMI release version of the nodes, for example V(1.31.0-20241024). Unset at creation means the
        latest for O(version); unset afterwards leaves it as it is.
    type: str
  force_update:
    description:
      - For a version or launch template update, replace nodes even when pod disruption budgets keep pods
        from being drained.
    type: bool
    default: false
  node_repair:
    description:
      - Whether EKS replaces unhealthy nodes automatically. Unset leaves it as it is.
    type: bool
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
    description: Returns the nodegroup as it is predicted to be after the run; makes no change.
  diff_mode:
    support: full
    description: Returns the nodegroup before and after.
notes:
  - With O(wait=false) the module returns right after its last call. A later run with O(state=present),
    nothing to change and O(wait=true) waits for the nodegroup to be C(ACTIVE), so that several nodegroups
    can be created first and then waited for together.
  - EKS accepts one update at a time, so a nodegroup still C(CREATING) or C(UPDATING) is waited for before
    a change, and with several updates in one run all but the last are waited for even with O(wait=false).
  - A C(CREATE_FAILED) or C(DEGRADED) status ends a wait at once with the health issues EKS reports.
"""

EXAMPLES = r"""
- name: A nodegroup and its launch template in one run (a change of the data makes a version and replaces the nodes)
  aews.eks.eks_nodegroup:
    cluster_name: myeks
    name: ng-general
    node_role_arn: "{{ node_role_arn }}"
    subnet_ids: "{{ private_subnet_ids }}"
    instance_types: [t3.medium]
    launch_template:
      name: myeks-ng-general
      data:
        BlockDeviceMappings:
          - DeviceName: /dev/xvda
            Ebs: {VolumeSize: 30, VolumeType: gp3, Encrypted: true}
        MetadataOptions: {HttpTokens: required, HttpPutResponseHopLimit: 2}
      tags: {team: data}
    wait: false

- name: Create a nodegroup and wait until it is ACTIVE
  aews.eks.eks_nodegroup:
    cluster_name: myeks
    name: ng-general
    node_role_arn: arn:aws:iam::123456789012:role/myeks-node
    subnet_ids: [subnet-0a1b2c3d, subnet-4e5f6a7b]
    instance_types: [m5.large]
    ami_type: AL2023_x86_64_STANDARD
    scaling: {min_size: 2, max_size: 6, desired_size: 2}
    labels:
      role: general
    taints:
      - {key: dedicated, value: general, effect: NO_SCHEDULE}
    tags:
      team: platform

- name: Change the range, leaving the desired size to the cluster autoscaler
  aews.eks.eks_nodegroup:
    cluster_name: myeks
    name: ng-general
    scaling: {min_size: 3, max_size: 10}

- name: Move the nodes to the latest version of their launch template
  aews.eks.eks_nodegroup:
    cluster_name: myeks
    name: ng-custom
    launch_template:
      name: myeks-ng-custom
      version: $Latest

- name: Create several nodegroups without waiting ...
  aews.eks.eks_nodegroup:
    cluster_name: myeks
    name: "{{ item.name }}"
    node_role_arn: "{{ node_role_arn }}"
    subnet_ids: "{{ private_subnet_ids }}"
    scaling: "{{ item.scaling }}"
    wait: false
  loop: "{{ nodegroups }}"

- name: ... then wait for all of them
  aews.eks.eks_nodegroup:
    cluster_name: myeks
    name: "{{ item.name }}"
  loop: "{{ nodegroups }}"

- name: Delete a nodegroup
  aews.eks.eks_nodegroup:
    cluster_name: myeks
    name: ng-old
    state: absent
"""

RETURN = r"""
nodegroup:
  description:
    - The nodegroup as DescribeNodegroup returns it, with snake_case keys (label and tag keys kept as
      they are); in check mode, as it is predicted to be. Empty when the nodegroup is absent.
  returned: always
  type: dict
  contains:
    nodegroup_name:
      description: Name of the nodegroup.
      type: str
      sample: ng-general
    nodegroup_arn:
      description: ARN of the nodegroup.
      type: str
    cluster_name:
      description: Name of the cluster.
      type: str
    status:
      description: C(CREATING), C(ACTIVE), C(UPDATING), C(DELETING), C(CREATE_FAILED), C(DELETE_FAILED) or C(DEGRADED).
      type: str
      sample: ACTIVE
    health:
      description: Health issues, each with C(code), C(message) and C(resource_ids).
      type: dict
    resources:
      description: The Auto Scaling groups (C(auto_scaling_groups)) and remote access security group.
      type: dict
    scaling_config:
      description: C(min_size), C(max_size) and C(desired_size).
      type: dict
      sample: {min_size: 2, max_size: 6, desired_size: 2}
    labels:
      description: Kubernetes labels of the nodes.
      type: dict
    taints:
      description: Kubernetes taints of the nodes (C(key), C(value), C(effect)).
      type: list
      elements: dict
    tags:
      description: Tags of the nodegroup.
      type: dict
    update_config:
      description: C(max_unavailable) or C(max_unavailable_percentage).
      type: dict
    launch_template:
      description: C(id), C(name) and C(version) of the launch template.
      type: dict
    version:
      description: Kubernetes version of the nodes.
      type: str
      sample: "1.31"
    release_version:
      description: AMI release version of the nodes.
      type: str
    ami_type:
      description: AMI family.
      type: str
    capacity_type:
      description: C(ON_DEMAND), C(SPOT) or C(CAPACITY_BLOCK).
      type: str
    instance_types:
      description: EC2 instance types.
      type: list
      elements: str
    subnets:
      description: Subnets of the nodes.
      type: list
      elements: str
    node_role:
      description: ARN of the node role.
      type: str
    node_repair_config:
      description: Whether node repair is C(enabled).
      type: dict
changes:
  description:
    - The changes made (or that would be made, in check mode), in order, one record per call, each with the
      C(resource), the C(action) (V(create), V(update), V(untag), V(tag) or V(delete)), C(why) (what differs), the
      API C(call) and its C(params). Empty when nothing changes.
    - C(update_nodegroup_config) changes labels, taints, sizes, the update configuration and node repair in place;
      C(update_nodegroup_version) (Kubernetes version, AMI release, launch template version) replaces every node.
  returned: always
  type: list
  elements: dict
  sample:
    - resource: nodegroup ng-1 of cluster myeks
      action: update
      why: "label role: general -> batch; scaling.max_size 3 -> 5"
      call: update_nodegroup_config
      params: {clusterName: myeks, nodegroupName: ng-1, labels: {addOrUpdateLabels: {role: batch}},
               scalingConfig: {minSize: 1, maxSize: 5}}
    - resource: nodegroup ng-1 of cluster myeks
      action: update
      why: Kubernetes 1.30 -> 1.31 (replaces every node of the nodegroup)
      call: update_nodegroup_version
      params: {clusterName: myeks, nodegroupName: ng-1, version: "1.31"}
launch_template:
  description:
    - With O(launch_template.data), what the run did to the template, as M(aews.eks.eks_launch_template) returns it
      (its changes come first under C(changes); in diff mode C(diff) holds the template's diff, then the nodegroup's).
  returned: with O(launch_template.data) and O(state=present)
  type: dict
  contains:
    launch_template:
      description: The template after the run (C(id), C(name), C(latest_version), C(default_version), C(tags)); C(id) is
        null for a template check mode would create.
      type: dict
    version:
      description: The template's default version after the run (predicted in check mode), the one the nodegroup runs.
      type: int
    new_version:
      description: Whether the run makes a version (the template's creation makes version 1).
      type: bool
    created:
      description: Whether the run creates the template.
      type: bool
    differences:
      description: What differs between the data given and those of the template's latest version, one line each.
      type: list
      elements: str
    deleted_versions:
      description: The old versions deleted (the newest five besides the default are kept).
      type: list
      elements: int
updates:
  description:
    - The C(UpdateNodegroupConfig) and C(UpdateNodegroupVersion) updates this run started, each with its C(id)
      and C(type), for M(aews.eks.eks_wait) to follow after O(wait=false).
  returned: when the nodegroup existed and O(state=present)
  type: list
  elements: dict
  sample: [{"id": "5e6a3c1d-93b4-3f0c-b7a4-2d1e0f9c8b71", "type": "VersionUpdate"}]
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks import vocabulary
from ansible_collections.aews.eks.plugins.module_utils._eks.nodegroup import TAINT_EFFECTS
from ansible_collections.aews.eks.plugins.module_utils._eks.nodegroup import ensure

AMI_TYPES = list(vocabulary.AMI_TYPES)

ARGUMENT_SPEC = eks.argument_spec(
    [eks.CLUSTER_NAME, eks.RESOURCE, eks.WAIT, eks.IAM_PROPAGATION],
    name=dict(type="str", required=True, aliases=["nodegroup_name"]),
    node_role_arn=dict(type="str"),
    subnet_ids=dict(type="list", elements="str"),
    instance_types=dict(type="list", elements="str"),
    ami_type=dict(type="str", choices=AMI_TYPES),
    capacity_type=dict(type="str", choices=list(vocabulary.CAPACITY_TYPES)),
    scaling=dict(
        type="dict",
        options=dict(
            min_size=dict(type="int", aliases=["min"]),
            max_size=dict(type="int", aliases=["max"]),
            desired_size=dict(type="int", aliases=["desired"]),
        ),
    ),
    disk_size=dict(type="int"),
    labels=dict(type="dict"),
    purge_labels=dict(type="bool", default=False),
    taints=dict(
        type="list",
        elements="dict",
        options=dict(
            key=dict(type="str", required=True, no_log=False),
            value=dict(type="str"),
            effect=dict(type="str", required=True, choices=list(TAINT_EFFECTS)),
        ),
    ),
    purge_taints=dict(type="bool", default=False),
    update_config=dict(
        type="dict",
        options=dict(max_unavailable=dict(type="int"), max_unavailable_percentage=dict(type="int")),
        mutually_exclusive=[("max_unavailable", "max_unavailable_percentage")],
    ),
    launch_template=dict(
        type="dict",
        options=dict(
            id=dict(type="str"),
            name=dict(type="str"),
            version=dict(type="str"),
            data=dict(type="dict"),
            version_description=dict(type="str"),
            tags=dict(type="dict"),
        ),
        mutually_exclusive=[("id", "name")],
        required_one_of=[("id", "name")],
    ),
    remote_access=dict(
        type="dict",
        options=dict(
            ec2_ssh_key=dict(type="str", no_log=False),
            source_security_groups=dict(type="list", elements="str"),
        ),
    ),
    version=dict(type="str"),
    release_version=dict(type="str"),
    force_update=dict(type="bool", default=False),
    node_repair=dict(type="bool"),
)


def main():
    eks.run_module(
        ARGUMENT_SPEC,
        ensure,
        mutually_exclusive=[("launch_template", "disk_size"), ("launch_template", "remote_access")],
    )


if __name__ == "__main__":
    main()
