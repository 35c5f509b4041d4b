# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vocabulary.py against what EKS accepts (botocore's models), and what cannot import it (the modules'
DOCUMENTATION, the roles, the docs) against vocabulary.py."""

from __future__ import annotations

import pathlib
import re

import botocore.loaders
import botocore.session
import pytest
import yaml

from ansible_collections.aews.eks.plugins.action import eks_wait as eks_wait_action
from ansible_collections.aews.eks.plugins.module_utils._eks import definition as cluster_definition
from ansible_collections.aews.eks.plugins.module_utils._eks import eksctl
from ansible_collections.aews.eks.plugins.module_utils._eks import vocabulary as v
from ansible_collections.aews.eks.plugins.module_utils._eks import waiters
from ansible_collections.aews.eks.plugins.modules import eks_cluster
from ansible_collections.aews.eks.plugins.modules import eks_nodegroup

ROOT = pathlib.Path(__file__).resolve().parents[4]
_SESSION = botocore.session.get_session()


def enum(service, shape):
    return tuple(_SESSION.get_service_model(service).shape_for(shape).enum)


def doc(module):
    return yaml.safe_load(module.DOCUMENTATION)["options"]


# ---------------------------------------------------------------- what EKS accepts
@pytest.mark.parametrize(
    "values, shape",
    [
        (v.AMI_TYPES, "AMITypes"),
        (v.LOG_TYPES, "LogType"),
        (v.TAINT_EFFECTS, "TaintEffect"),
        (v.CAPACITY_TYPES, "CapacityTypes"),
    ],
)
def test_eks_enumerations_are_botocores(values, shape):
    assert values == enum("eks", shape)


def test_taint_effect_spellings():
    assert set(v.TAINT_EFFECT_TO_EKS.values()) == set(v.TAINT_EFFECTS)
    assert set(v.TAINT_EFFECT_TO_EKS) == set(v.TAINT_EFFECTS) | set(v.KUBERNETES_TAINT_EFFECTS)
    for eks, kubernetes in v.TAINT_EFFECT_TO_KUBERNETES.items():
        assert v.TAINT_EFFECT_TO_EKS[kubernetes] == eks
        assert kubernetes.upper() == eks.replace("_", "")


@pytest.mark.parametrize(
    "kind, service, shape",
    [
        ("cluster", "eks", "ClusterStatus"),
        ("nodegroup", "eks", "NodegroupStatus"),
        ("addon", "eks", "AddonStatus"),
        ("fargate_profile", "eks", "FargateProfileStatus"),
        ("update", "eks", "UpdateStatus"),
        ("nat_gateway", "ec2", "NatGatewayState"),
    ],
)
def test_wait_states_are_statuses_aws_has(kind, service, shape):
    statuses = set(enum(service, shape))
    for goal, states in v.WAIT_STATES[kind].items():
        assert set(states["success"]) <= statuses, goal
        assert set(states["failure"]) <= statuses, goal
        assert not set(states["success"]) & set(states["failure"]), goal


def test_the_waiters_and_eks_wait_read_the_same_states():
    for kind in eks_wait_action.KINDS:
        for goal in eks_wait_action.GOALS:
            assert eks_wait_action.SUCCESS[goal][kind] == v.wait_success(kind, goal)
            assert eks_wait_action.FAILURE[goal][kind] == v.wait_failure(kind, goal)
    assert eks_wait_action.UPDATE_FAILURES == ("Failed", "Cancelled")
    for name, (kind, goal) in {
        "cluster_active": ("cluster", "active"),
        "cluster_deleted": ("cluster", "deleted"),
        "nodegroup_active": ("nodegroup", "active"),
        "nodegroup_deleted": ("nodegroup", "deleted"),
        "addon_active": ("addon", "active"),
        "addon_created": ("addon", "created"),
        "addon_deleted": ("addon", "deleted"),
        "fargate_profile_deleted": ("fargate_profile", "deleted"),
        "update_successful": ("update", "successful"),
    }.items():
        acceptors = waiters._WAITERS[name]["acceptors"]  # pylint: disable=protected-access
        paths = [a for a in acceptors if a["matcher"] == "path"]
        assert [a["expected"] for a in paths if a["state"] == "success"] == list(v.wait_success(kind, goal)), name
        assert [a["expected"] for a in paths if a["state"] == "failure"] == list(v.wait_failure(kind, goal)), name


# ---------------------------------------------------------------- versions
@pytest.mark.parametrize("text, parsed", [("1.33", (1, 33)), ("1.9", (1, 9)), (" 1.10 ", (1, 10))])
def test_parse_version(text, parsed):
    assert v.parse_version(text) == parsed


@pytest.mark.parametrize("bad", ["1", "1.33.1", "v1.33", "", None, 1.33, True, "latest"])
def test_parse_version_refuses(bad):
    with pytest.raises(ValueError, match="is not a Kubernetes minor version"):
        v.parse_version(bad)


def test_version_arithmetic():
    assert v.compare_versions("1.9", "1.10") == -1
    assert v.compare_versions("1.10", "1.10") == 0
    assert v.compare_versions("1.33", "1.4") == 1
    assert v.version_steps("1.30", "1.33") == ["1.31", "1.32", "1.33"]
    assert v.version_steps("1.33", "1.33") == []
    assert (v.max_kubelet_skew("1.27"), v.max_kubelet_skew("1.28")) == (2, 3)
    with pytest.raises(ValueError, match="major"):
        v.version_steps("1.33", "2.0")


# ---------------------------------------------------------------- the modules' documentation and argument specs
def test_eks_nodegroup_documents_and_accepts_the_vocabulary():
    options = doc(eks_nodegroup)
    assert sorted(options["ami_type"]["choices"]) == sorted(v.AMI_TYPES)
    assert options["capacity_type"]["choices"] == list(v.CAPACITY_TYPES)
    assert options["taints"]["suboptions"]["effect"]["choices"] == list(v.TAINT_EFFECT_TO_EKS)
    spec = eks_nodegroup.ARGUMENT_SPEC
    assert spec["ami_type"]["choices"] == list(v.AMI_TYPES)
    assert spec["capacity_type"]["choices"] == list(v.CAPACITY_TYPES)
    assert spec["taints"]["options"]["effect"]["choices"] == list(v.TAINT_EFFECT_TO_EKS)


def test_eks_cluster_documents_the_log_types():
    assert doc(eks_cluster)["logging"]["choices"] == list(v.LOG_TYPES) + ["all"]


# ---------------------------------------------------------------- the definition filter, eksctl and the definition role
def test_the_definition_filter_accepts_what_eks_nodegroup_accepts():
    assert cluster_definition.AMI_TYPES == list(eks_nodegroup.ARGUMENT_SPEC["ami_type"]["choices"])
    assert cluster_definition.LOG_TYPES == list(v.LOG_TYPES)
    assert set(cluster_definition.TAINT_EFFECTS.values()) == set(v.TAINT_EFFECTS)
    assert cluster_definition.OWNER_TAG == v.OWNER_TAG
    for ami_type in ("BOTTLEROCKET_x86_64_NVIDIA_FIPS", "BOTTLEROCKET_ARM_64_NVIDIA_FIPS", "WINDOWS_FULL_2025_x86_64"):
        definition = {
            "name": "myeks",
            "region": "ap-northeast-2",
            "vpc": {"availability_zones": ["ap-northeast-2a", "ap-northeast-2b"]},
            "nodegroups": [{"name": "ng", "ami_type": ami_type}],
        }
        assert cluster_definition.normalize(definition)["nodegroups"][0]["ami_type"] == ami_type


def test_eksctls_defaults_are_the_vocabularys():
    assert eksctl.DEFAULT_VPC_CIDR == v.DEFAULT_VPC_CIDR == "192.168.0.0/16"
    assert eksctl.DEFAULT_INSTANCE_TYPE == v.DEFAULT_INSTANCE_TYPE == "m5.large"
    assert eksctl.DEFAULT_VOLUME == {"size": v.DEFAULT_VOLUME_SIZE, "type": v.DEFAULT_VOLUME_TYPE}
    assert eksctl.TAINT_EFFECTS == v.KUBERNETES_TAINT_EFFECTS
    assert eksctl.NAT == v.EKSCTL_NAT_MODES and set(v.EKSCTL_NAT_MODES.values()) == set(v.NAT_MODES)
    assert set(eksctl.WINDOWS_AMI_TYPES.values()) <= set(v.AMI_TYPES)
    assert set(v.WINDOWS_AMI_TYPES.values()) <= set(v.AMI_TYPES)
    normalized = cluster_definition.normalize(
        {
            "name": "myeks",
            "region": "ap-northeast-2",
            "vpc": {"availability_zones": ["ap-northeast-2a", "ap-northeast-2b"]},
        }
    )
    assert normalized["vpc"]["cidr"] == v.DEFAULT_VPC_CIDR
    assert normalized["vpc"]["nat"] == v.DEFAULT_NAT_MODE


def test_the_definition_role_spec_names_the_definitions_keys():
    spec = yaml.safe_load((ROOT / "roles/definition/meta/argument_specs.yml").read_text())
    text = " ".join(spec["argument_specs"]["main"]["options"]["aews_eks_cluster"]["description"])
    documented = re.findall(r"C\(([a-z_]+)\)", text)
    assert documented == [k for k in cluster_definition.KEYS[""] if k != "source"]


def test_the_definition_docs_show_the_vocabularys_defaults():
    text = (ROOT / "docs/cluster-definition.md").read_text()
    assert f"| `vpc.cidr` | str | `{v.DEFAULT_VPC_CIDR}` |" in text
    assert ", ".join(v.LOG_TYPES) + ", or `all`" in text
    assert f"`instance_types` (`[{v.DEFAULT_INSTANCE_TYPE}]`)" in text
    assert f"`volume.size` ({v.DEFAULT_VOLUME_SIZE}) / `.type` ({v.DEFAULT_VOLUME_TYPE})" in text


# ---------------------------------------------------------------- what the roles write
def _role_files():
    return sorted(p for p in (ROOT / "roles").rglob("*") if p.suffix in (".yml", ".yaml", ".j2") and p.is_file())


def test_the_roles_write_only_the_collections_tag_keys():
    found = {m for p in _role_files() for m in re.findall(r"aews\.eks/[a-z-]+", p.read_text())}
    assert v.OWNER_TAG in found
    assert found <= set(v.TAG_KEYS), found - set(v.TAG_KEYS)


def test_the_roles_name_only_ami_types_eks_has():
    pattern = re.compile(r"\b(?:AL2|AL2023|BOTTLEROCKET|WINDOWS)_[A-Za-z0-9_]+")
    found = {m for p in _role_files() for m in pattern.findall(p.read_text())}
    assert found <= set(v.AMI_TYPES), found - set(v.AMI_TYPES)


def test_the_roles_attach_the_vocabularys_managed_policies():
    arns = {m for p in _role_files() for m in re.findall(r"arn:aws:iam::aws:policy/[\w/+=,.@-]+", p.read_text())}
    # Names the roles turn into ARNs with the aews.eks.managed_policy_arn filter (which refuses any other).
    through_filter = re.compile(r"'(\w+)' \| aews\.eks\.managed_policy_arn")
    arns |= {v.policy_arn(m) for p in _role_files() for m in through_filter.findall(p.read_text())}
    assert v.policy_arn(v.CLUSTER_ROLE_POLICY) in arns
    assert arns <= {v.policy_arn(name) for name in v.MANAGED_POLICIES}, arns


def test_the_upgrade_roles_ami_type_last_versions_are_the_vocabularys():
    defaults = yaml.safe_load((ROOT / "roles/upgrade/defaults/main.yml").read_text())
    spec = yaml.safe_load((ROOT / "roles/upgrade/meta/argument_specs.yml").read_text())
    options = spec["argument_specs"]["main"]["options"]
    assert defaults["upgrade_ami_type_last_version"] == v.AMI_TYPE_LAST_VERSION
    assert options["upgrade_ami_type_last_version"]["default"] == v.AMI_TYPE_LAST_VERSION
    assert eksctl.AL2_LAST_MINOR == v.parse_version(v.AMI_TYPE_LAST_VERSION["AL2_x86_64"])[1]


def test_the_checks_see_what_they_look_for():
    """The scans above find something to check in the roles (a pattern gone stale would pass on nothing)."""
    texts = "".join(p.read_text() for p in _role_files())
    assert "AL2_x86_64" in texts and "' | aews.eks.managed_policy_arn" in texts and "aews.eks/cluster-name" in texts


# ---------------------------------------------------------------- missing codes
def test_missing_codes_are_per_resource():
    assert v.missing_codes(service="eks") == ("ResourceNotFoundException", "NotFoundException")
    assert "NoSuchEntity" not in v.missing_codes(service="eks")
    assert v.missing_codes("key_pair") == ("InvalidKeyPair.NotFound",)
    assert set(v.SERVICE_MISSING["ec2"]) <= set(v.MISSING_CODES)


# ---------------------------------------------------------------- partitions
def test_partition_of_every_region_botocore_knows_in_the_partitions_named():
    """Each region of botocore's endpoint data in aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b is in its partition."""
    partitions = botocore.loaders.create_loader().load_data("endpoints")["partitions"]
    named = {"aws"} | {name for _prefix, name in v.PARTITIONS}
    checked = 0
    for data in partitions:
        if data["partition"] in named:
            for region in data["regions"]:
                assert v.partition(region) == data["partition"], region
                checked += 1
    assert checked > 30
    assert v.partition("us-isob-east-1") == "aws-iso-b" and v.partition("us-iso-west-1") == "aws-iso"
    assert v.partition("") == "aws"
