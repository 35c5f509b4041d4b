"""The node_launch_template filter: the launch template of a nodegroup's nodes from its normalized definition.

The expected data are those the role sent before the filter existed (amazon.aws ec2_launch_template from Jinja),
read back from the local endpoint after a site.yml run of the seed with a max-pods AL2023 and a Bottlerocket
nodegroup: the filter must send the same bytes, so that an existing template gets no new version.
"""

from __future__ import annotations

import base64
import copy
import tomllib
from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.aews.eks.plugins.filter.cluster_definition import FilterModule as DefinitionFilters
from ansible_collections.aews.eks.plugins.filter.launch_template import FilterModule

ROOT = Path(__file__).resolve().parents[4]
node_launch_template = FilterModule().filters()["node_launch_template"]
cluster_definition = DefinitionFilters().filters()["cluster_definition"]

OWNER = {"aews.eks/cluster-name": "myeks"}
CLUSTER_SG = "sg-0c0c0c0c0c0c0c0c0"
SHARED_SG = "sg-0d0d0d0d0d0d0d0d0"
SSH_SG = "sg-0e0e0e0e0e0e0e0e0"
T3_MEDIUM = {"instance_type": "t3.medium", "max_pods": 17, "max_pods_prefix_delegation": 110}

# What the role's Jinja sent for the seed's nodegroup, as the endpoint keeps it (the seed has no cluster tags).
SEED_DATA = {
    "BlockDeviceMappings": [
        {
            "DeviceName": "/dev/xvda",
            "Ebs": {"DeleteOnTermination": True, "Iops": 3000, "Throughput": 125, "VolumeSize": 30, "VolumeType": "gp3"},
        }
    ],
    "KeyName": "myeks-mynodegroup",
    "MetadataOptions": {
        "HttpEndpoint": "enabled",
        "HttpProtocolIpv6": "disabled",
        "HttpPutResponseHopLimit": 2,
        "HttpTokens": "optional",
        "InstanceMetadataTags": "disabled",
    },
    "SecurityGroupIds": [CLUSTER_SG, SHARED_SG, SSH_SG],
    "TagSpecifications": [
        {"ResourceType": t, "Tags": [{"Key": "aews.eks/cluster-name", "Value": "myeks"},
                                     {"Key": "Name", "Value": "myeks-mynodegroup-Node"}]}
        for t in ("instance", "volume", "network-interface")
    ],
}  # fmt: skip
# The same role's user data for max_pods 20 on AL2023 and 30 on Bottlerocket, base64 as sent.
AL2023_20 = (
    "TUlNRS1WZXJzaW9uOiAxLjAKQ29udGVudC1UeXBlOiBtdWx0aXBhcnQvbWl4ZWQ7IGJvdW5kYXJ5PSIvLyIKCi0tLy8KQ29udGVudC1UeXBlOiBh"
    "cHBsaWNhdGlvbi9ub2RlLmVrcy5hd3MKCi0tLQphcGlWZXJzaW9uOiBub2RlLmVrcy5hd3MvdjFhbHBoYTEKa2luZDogTm9kZUNvbmZpZwpzcGVj"
    "OgogIGt1YmVsZXQ6CiAgICBjb25maWc6CiAgICAgIG1heFBvZHM6IDIwCgotLS8vLS0K"
)
BOTTLEROCKET_30 = "W3NldHRpbmdzLmt1YmVybmV0ZXNdCm1heC1wb2RzID0gMzAK"


def seed_nodegroup(**changes):
    data = yaml.safe_load((ROOT / "examples" / "seed-cluster.yml").read_text())["aews_eks_cluster"]
    data["nodegroups"][0]["ssh"]["public_key"] = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKs1sRyq0yVq0hQ3v5q0u1M3m0Qe test"
    data["nodegroups"][0].update(changes)
    if changes.get("ami_family") == "AmazonLinux2":
        data["version"] = "1.32"  # the last Kubernetes version with AL2 AMIs
    return cluster_definition(data)["nodegroups"][0]


def template(nodegroup, **kwargs):
    kwargs.setdefault("tags", OWNER)
    kwargs.setdefault("security_group_ids", [CLUSTER_SG, SHARED_SG])
    kwargs.setdefault("ssh_security_group_id", SSH_SG)
    kwargs.setdefault("instance_type", T3_MEDIUM)
    return node_launch_template(nodegroup, "myeks", **kwargs)


def test_the_seed_gets_the_data_the_role_sent_before():
    result = template(seed_nodegroup())
    assert result["data"] == SEED_DATA
    assert result["name"] == "myeks-mynodegroup" and result["description"] == "myeks nodegroup mynodegroup"
    assert result["tags"] == {"aews.eks/cluster-name": "myeks", "Name": "myeks-mynodegroup"}
    assert result["user_data"] == "" and result["max_pods"] is None and "UserData" not in result["data"]


def test_al2023_max_pods_is_a_nodeconfig_as_before():
    result = template(seed_nodegroup(max_pods=20))
    assert result["data"]["UserData"] == AL2023_20
    assert result["max_pods"] == 20
    document = base64.b64decode(result["data"]["UserData"]).decode()
    assert document == result["user_data"]
    # A MIME multipart document whose part nodeadm reads: a NodeConfig with the kubelet's maxPods.
    part = document.split("Content-Type: application/node.eks.aws\n\n", 1)[1].split("\n--//--", 1)[0]
    assert yaml.safe_load(part) == {
        "apiVersion": "node.eks.aws/v1alpha1", "kind": "NodeConfig", "spec": {"kubelet": {"config": {"maxPods": 20}}}
    }  # fmt: skip


def test_bottlerocket_max_pods_is_toml_as_before():
    result = template(seed_nodegroup(ami_family="Bottlerocket", max_pods=30))
    assert result["data"]["UserData"] == BOTTLEROCKET_30
    assert tomllib.loads(result["user_data"]) == {"settings": {"kubernetes": {"max-pods": 30}}}


@pytest.mark.parametrize(
    "ami_family, expected",
    [("AmazonLinux2023", "      maxPods: 110\n"), ("Bottlerocket", "max-pods = 110\n"), ("AmazonLinux2", None)],
)
def test_prefix_delegation_gives_what_the_instance_type_allows_with_prefixes(ami_family, expected):
    nodegroup = seed_nodegroup(ami_family=ami_family)
    result = template(nodegroup, prefix_delegation=True)
    if expected is None:
        # AL2 nodes: no user data, EKS's bootstrap of the AMI runs as it is (the role never set max pods there).
        assert "UserData" not in result["data"] and result["max_pods"] is None
    else:
        assert expected in result["user_data"] and result["max_pods"] == 110
    # Without prefix delegation the AMI computes max pods itself: no user data.
    assert "UserData" not in template(nodegroup)["data"]


def test_max_pods_given_wins_over_prefix_delegation():
    assert template(seed_nodegroup(max_pods=50), prefix_delegation=True)["max_pods"] == 50


def test_max_pods_on_al2_fails_naming_the_field():
    nodegroup = dict(seed_nodegroup(ami_family="AmazonLinux2"), max_pods=20)
    with pytest.raises(AnsibleFilterError, match="nodegroup mynodegroup: max_pods is set in the user data of AL2023"):
        template(nodegroup)


def test_labels_taints_sizes_and_nodegroup_tags_are_not_in_the_data():
    base = template(seed_nodegroup())
    other = template(
        seed_nodegroup(
            labels={"role": "batch"}, taints=[{"key": "dedicated", "value": "batch", "effect": "NoSchedule"}],
            min_size=1, desired_size=3, max_size=5, tags={"team": "data"},
        )
    )  # fmt: skip
    assert other["data"] == base["data"]


def test_cluster_tags_reach_the_instances_volumes_and_interfaces():
    result = template(seed_nodegroup(), tags=dict(OWNER, team="platform"))
    for spec in result["data"]["TagSpecifications"]:
        assert {t["Key"]: t["Value"] for t in spec["Tags"]} == {
            "aews.eks/cluster-name": "myeks", "team": "platform", "Name": "myeks-mynodegroup-Node"
        }  # fmt: skip
    assert result["tags"] == {"aews.eks/cluster-name": "myeks", "team": "platform", "Name": "myeks-mynodegroup"}


def test_without_ssh_no_key_and_no_ssh_group():
    nodegroup = seed_nodegroup(ssh={"allow": False})
    result = template(nodegroup, ssh_security_group_id=None)
    assert "KeyName" not in result["data"]
    assert result["data"]["SecurityGroupIds"] == [CLUSTER_SG, SHARED_SG]


def test_ssh_needs_its_security_group():
    with pytest.raises(AnsibleFilterError, match="ssh.allow needs ssh_security_group_id"):
        template(seed_nodegroup(), ssh_security_group_id=None)


def test_encrypted_volume_with_its_key_and_io1_iops():
    key = "arn:aws:kms:ap-northeast-2:123456789012:key/11111111-2222-3333-4444-555555555555"
    result = template(seed_nodegroup(volume={"size": 50, "type": "gp2", "encrypted": True, "kms_key_id": key}))
    assert result["data"]["BlockDeviceMappings"] == [
        {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 50, "VolumeType": "gp2", "DeleteOnTermination": True,
                                            "Encrypted": True, "KmsKeyId": key}}
    ]  # fmt: skip
    ebs = template(seed_nodegroup(volume={"size": 40, "type": "io1", "iops": 400}))["data"]["BlockDeviceMappings"][0]
    assert ebs["Ebs"] == {"VolumeSize": 40, "VolumeType": "io1", "Iops": 400, "DeleteOnTermination": True}


def test_imds_v2_required_and_pods_kept_off():
    options = template(seed_nodegroup(imds={"disable_pod_imds": True}))["data"]["MetadataOptions"]
    assert options["HttpTokens"] == "required" and options["HttpPutResponseHopLimit"] == 1
    options = template(seed_nodegroup(imds={}))["data"]["MetadataOptions"]
    assert options["HttpTokens"] == "required" and options["HttpPutResponseHopLimit"] == 2


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(prefix_delegation="yes"), "prefix_delegation must be a boolean"),
        (dict(tags=["a"]), "tags must be a dict"),
        (dict(security_group_ids="sg-1"), "security_group_ids must be a list"),
        (dict(security_group_ids=[], ssh_security_group_id=None), "security_group_ids is empty"),
    ],
)
def test_bad_arguments_fail_naming_them(kwargs, message):
    nodegroup = seed_nodegroup(ssh={"allow": False})
    with pytest.raises(AnsibleFilterError, match=message):
        template(nodegroup, **kwargs)


def test_a_nodegroup_not_normalized_fails():
    nodegroup = copy.deepcopy(seed_nodegroup())
    del nodegroup["imds"]
    with pytest.raises(AnsibleFilterError, match="nodegroup mynodegroup: imds is missing"):
        template(nodegroup)
    with pytest.raises(AnsibleFilterError, match="normalized nodegroup"):
        template({})


def test_prefix_delegation_needs_the_instance_type_record():
    with pytest.raises(AnsibleFilterError, match="max_pods_prefix_delegation"):
        template(seed_nodegroup(), instance_type={}, prefix_delegation=True)
