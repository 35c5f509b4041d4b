#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_launch_template
short_description: Manage an EC2 launch template, one version per change of its data
version_added: 0.1.0
description:
  - One run manages a named launch template completely. It creates the template, adds a version only when the
    data differs from the latest version, makes the version it leaves the default one, tags the template itself and
    deletes the oldest versions beyond O(keep_versions).
  - The data is compared as AWS answers it. Values AWS fills in for keys left out (the metadata options'
    C(HttpEndpoint) V(enabled), C(HttpProtocolIpv6) and C(InstanceMetadataTags) V(disabled)), the order of keys,
    of security groups and of tags, and the encoding of the user data make no difference.
  - The template's own tags (O(tags)) change in place and never make a version. Only the data reaches the
    instances, so only it makes a version. A nodegroup that follows the template then replaces its nodes.
  - Creates carry a C(ClientToken) derived from the name, the version the new one follows and the data. A call
    repeated after a lost answer returns what the first one made, and a re-run after an interruption compares
    with what the interrupted run made. Either way no second version is made.
  - In check mode no call changes anything. The result predicts the version and the changes, and with C(--diff)
    shows the data and tags before and after, with the user data decoded.
author:
  - aews.eks maintainers (@aews)
options:
  name:
    description:
      - Name of the launch template.
    type: str
    required: true
    aliases: [template_name]
  state:
    description:
      - V(present) creates or converges the template, V(absent) deletes it with all its versions.
    type: str
    choices: [present, absent]
    default: present
  launch_template_data:
    description:
      - The data of the version, as EC2's C(CreateLaunchTemplateVersion) takes it (C(LaunchTemplateData)), with its
        keys (C(BlockDeviceMappings), C(MetadataOptions), C(SecurityGroupIds), C(KeyName), C(UserData) base64,
        C(TagSpecifications), C(ImageId), C(InstanceType), ...).
      - Checked against EC2's API model before any call. A wrong key or type fails, naming it.
      - The whole data of each version. A key left out is not in the new version.
      - Required with O(state=present).
    type: dict
    aliases: [data]
  version_description:
    description:
      - The description of a version this run makes. A different description alone makes no version.
    type: str
    default: ''
  keep_versions:
    description:
      - How many versions besides the default one to keep. The oldest beyond that are deleted
        (C(DeleteLaunchTemplateVersions)).
      - Keep at least the version a nodegroup still uses until it has moved to the new one.
    type: int
    default: 5
  tags:
    description:
      - Tags of the launch template itself (not of the instances, which C(TagSpecifications) in the data names).
      - Not given, the template's tags are left as they are.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description:
      - Remove the template's tags not in O(tags).
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Permissions are C(ec2:DescribeLaunchTemplates), C(ec2:DescribeLaunchTemplateVersions),
    C(ec2:CreateLaunchTemplate), C(ec2:CreateLaunchTemplateVersion), C(ec2:ModifyLaunchTemplate),
    C(ec2:DeleteLaunchTemplateVersions), C(ec2:DeleteLaunchTemplate), C(ec2:CreateTags) and C(ec2:DeleteTags).
  - The data of a nodegroup's nodes is what the P(aews.eks.node_launch_template#filter) filter computes.
"""

EXAMPLES = r"""
- name: The launch template of a nodegroup's nodes
  aews.eks.eks_launch_template:
    name: myeks-mynodegroup
    version_description: myeks nodegroup mynodegroup
    launch_template_data:
      BlockDeviceMappings:
        - DeviceName: /dev/xvda
          Ebs: {VolumeSize: 30, VolumeType: gp3, DeleteOnTermination: true}
      MetadataOptions: {HttpTokens: required, HttpPutResponseHopLimit: 2}
      SecurityGroupIds: [sg-0123456789abcdef0]
      TagSpecifications:
        - ResourceType: instance
          Tags: [{Key: Name, Value: myeks-mynodegroup-Node}]
    tags:
      aews.eks/cluster-name: myeks
  register: template

- name: The nodegroup follows the version the run left as the default
  aews.eks.eks_nodegroup:
    cluster_name: myeks
    name: mynodegroup
    launch_template:
      name: "{{ template.launch_template.name }}"
      version: "{{ template.version | string }}"

- name: Delete it
  aews.eks.eks_launch_template:
    name: myeks-mynodegroup
    state: absent
"""

RETURN = r"""
launch_template:
  description:
    - The template after the run (predicted in check mode). C(id) is null for a template check mode would create.
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: The template's id.
      type: str
      sample: lt-0123456789abcdef0
    name:
      description: The template's name.
      type: str
    latest_version:
      description: Its latest version number.
      type: int
      sample: 3
    default_version:
      description: Its default version number (the version this run leaves as the default).
      type: int
      sample: 3
    tags:
      description: The template's own tags.
      type: dict
version:
  description: The default version after the run (predicted in check mode), the one a nodegroup should use.
  returned: when O(state=present)
  type: int
  sample: 3
new_version:
  description: Whether the run makes a version (the template's creation makes version 1).
  returned: always
  type: bool
created:
  description: Whether the run creates the template.
  returned: always
  type: bool
changes:
  description: The changes made (in check mode, to be made), in order, one record per EC2 call.
  returned: always
  type: list
  elements: dict
  contains:
    resource:
      description: What changes.
      type: str
    action:
      description: The step (create, create_version, set_default_version, delete_versions, tag, untag, delete).
      type: str
    why:
      description: What differs, for a person to read (for a new version, the differences of the data).
      type: str
    call:
      description: The EC2 operation that makes the change (snake_case).
      type: str
    params:
      description: Its parameters.
      type: dict
  sample:
    - resource: launch template myeks-ng-1
      action: create_version
      why: "volume_size: 30 -> 40"
      call: create_launch_template_version
      params: {LaunchTemplateId: lt-0123456789abcdef0, VersionDescription: "", LaunchTemplateData: {}}
differences:
  description:
    - What differs between the latest version's data and the data asked for, field by field, in words. A
      nodegroup moved to the new version replaces its nodes for these. Empty when no version is made, or when the
      template is created.
  returned: always
  type: list
  elements: str
  sample: ["volume_size: 30 -> 40", "user_data: maxPods: 17 -> 110", "instance/volume/network-interface tag team: - -> data"]
deleted_versions:
  description: The version numbers deleted (to be deleted in check mode) to keep O(keep_versions).
  returned: always
  type: list
  elements: int
  sample: [1, 2]
"""

from ansible_collections.aews.eks.plugins.module_utils import eks
from ansible_collections.aews.eks.plugins.module_utils._eks.launch_template import DEFAULT_KEEP_VERSIONS
from ansible_collections.aews.eks.plugins.module_utils._eks.launch_template import ensure

ARGUMENT_SPEC = eks.argument_spec(
    [eks.RESOURCE],
    name=dict(type="str", required=True, aliases=["template_name"]),
    launch_template_data=dict(type="dict", aliases=["data"]),
    version_description=dict(type="str", default=""),
    keep_versions=dict(type="int", default=DEFAULT_KEEP_VERSIONS),
)


def main():
    eks.run_module(ARGUMENT_SPEC, ensure, required_if=[("state", "present", ["launch_template_data"])])


if __name__ == "__main__":
    main()
