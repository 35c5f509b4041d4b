"""The eksctl ClusterConfig filter never fails with a Python exception.

A systematic mutation of two ClusterConfigs (the seed, examples/seed-myeks.eksctl.yaml, and a wide one using
the sections the filter converts): every key and list entry is set, one at a time, to null, a string, a
number, a list and a mapping, and every list entry to null. Each mutated document either converts to a
definition the definition's own checks accept, or fails with the filter's error (AnsibleFilterError), one
problem per line, one of them naming the mutated path or a path next to it (its section, an entry inside it,
or a sibling it is checked against).
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.aews.eks.plugins.module_utils._eks.definition import normalize
from ansible_collections.aews.eks.plugins.filter.eksctl_config import FilterModule

eksctl_config = FilterModule().filters()["eksctl_config"]

ROOT = Path(__file__).resolve().parents[4]
SEED = yaml.safe_load((ROOT / "examples" / "seed-myeks.eksctl.yaml").read_text())
PREFIX = "aews.eks.eksctl_config: the eksctl ClusterConfig cannot be converted:\n"

# The sections the filter converts, each used at least once (an existing VPC with named and zone-keyed
# subnets, both spellings of taints, service accounts, add-ons with configuration values).
WIDE = {
    "apiVersion": "eksctl.io/v1alpha5",
    "kind": "ClusterConfig",
    "metadata": {"name": "wide", "region": "us-east-1", "version": "1.33", "tags": {"team": "platform"}},
    "availabilityZones": ["us-east-1a", "us-east-1b"],
    "kubernetesNetworkConfig": {"ipFamily": "IPv4", "serviceIPv4CIDR": "10.100.0.0/16"},
    "iam": {
        "withOIDC": True,
        "vpcResourceControllerPolicy": True,
        "serviceAccounts": [
            {
                "metadata": {"name": "ebs-csi-controller-sa", "namespace": "kube-system"},
                "wellKnownPolicies": {"ebsCSIController": True},
                "attachPolicyARNs": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
                "roleName": "wide-ebs-csi",
            },
            {
                "metadata": {"name": "reader"},
                "attachPolicy": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}],
                },
            },
        ],
    },
    "vpc": {
        "id": "vpc-0123456789abcdef0",
        "cidr": "10.0.0.0/16",
        "subnets": {
            "public": {
                "us-east-1a": {"id": "subnet-0a1b2c3d4e5f60001", "cidr": "10.0.0.0/19"},
                "us-east-1b": {"id": "subnet-0a1b2c3d4e5f60002"},
            },
            "private": {
                "private-one": {"id": "subnet-0a1b2c3d4e5f60003", "az": "us-east-1a"},
                "private-two": {"id": "subnet-0a1b2c3d4e5f60004", "az": "us-east-1b", "cidr": "10.0.96.0/19"},
            },
        },
        "nat": {"gateway": "HighlyAvailable"},
        "clusterEndpoints": {"publicAccess": True, "privateAccess": True},
        "publicAccessCIDRs": ["203.0.113.0/24"],
    },
    "cloudWatch": {"clusterLogging": {"enableTypes": ["api", "audit"], "logRetentionInDays": 30}},
    "accessConfig": {"authenticationMode": "API_AND_CONFIG_MAP"},
    "addonsConfig": {"disableDefaultAddons": False},
    "addons": [
        {
            "name": "vpc-cni",
            "version": "latest",
            "resolveConflicts": "overwrite",
            "configurationValues": '{"env": {"ENABLE_PREFIX_DELEGATION": "true"}}',
            "attachPolicyARNs": ["arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"],
        },
        {"name": "aws-ebs-csi-driver", "wellKnownPolicies": {"ebsCSIController": True}},
    ],
    "managedNodeGroups": [
        {
            "name": "general",
            "amiFamily": "AmazonLinux2023",
            "instanceTypes": ["m5.large", "m5a.large"],
            "spot": True,
            "minSize": 1,
            "desiredCapacity": 2,
            "maxSize": 3,
            "volumeSize": 50,
            "volumeType": "gp3",
            "volumeIOPS": 3000,
            "volumeThroughput": 125,
            "volumeEncrypted": True,
            "labels": {"role": "general"},
            "tags": {"cost-center": "42"},
            "taints": [{"key": "dedicated", "value": "general", "effect": "NoSchedule"}],
            "privateNetworking": True,
            "ssh": {"allow": False},
            "iam": {"withAddonPolicies": {"autoScaler": True, "externalDNS": True}},
            "disableIMDSv1": True,
            "disablePodIMDS": False,
            "updateConfig": {"maxUnavailable": 1},
            "maxPodsPerNode": 58,
        },
        {
            "name": "tainted",
            "instanceType": "t3.medium",
            "taints": {"gpu": "true:NoExecute"},
            "privateNetworking": True,
        },
    ],
}

MUTATIONS = {
    "null": None,
    "string": "surprise",
    "number": 7,
    "list": ["surprise"],
    "mapping": {"surprise": "value"},
}


def _walk(value, path=()):
    """Every (path, value) under ``value``; a path is a tuple of keys and list indexes."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield path + (key,), item
            yield from _walk(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield path + (index,), item
            yield from _walk(item, path + (index,))


def _text(path):
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _mutated(document, path, value):
    result = copy.deepcopy(document)
    target = result
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = copy.deepcopy(value)
    return result


def _lines(message):
    assert message.startswith(PREFIX), message
    return message[len(PREFIX) :].split("\n")


def _related(problem_path, path):
    """The problem names the mutated path, a path inside it, its section, or a sibling of it."""
    parent = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", path)
    for candidate in (path, parent):
        if not candidate:
            continue
        if problem_path == candidate or problem_path.startswith((candidate + ".", candidate + "[")):
            return True
    return path.startswith((problem_path + ".", problem_path + "["))


def _outcome(document, path_text, check_return=False):
    """None when the document behaves, else what went wrong."""
    try:
        definition = eksctl_config(copy.deepcopy(document))
    except AnsibleFilterError as e:
        message = str(e)
        if not message.startswith(PREFIX):
            return f"unexpected message: {message}"
        paths = []
        for line in _lines(message):
            if not line.startswith("  ") or ": " not in line:
                return f"a line is not 'path: problem': {line!r}"
            paths.append(line[2:].split(": ", 1)[0])
        if not any(_related(p, path_text) for p in paths):
            return f"no problem names {path_text} or a path next to it: {message}"
        returned = eksctl_config(copy.deepcopy(document), errors="return") if check_return else None
        if check_return and returned != {"error": message[len("aews.eks.eksctl_config: ") :]}:
            return f"errors=return gives {returned!r}"
        return None
    except Exception as e:  # noqa: BLE001 -- the point of the test: nothing but the filter's error comes out
        return f"{type(e).__name__}: {e}"
    # A document the filter accepts is one the definition role accepts too.
    normalize(definition, check_files=False)
    return None


def _mutations(document):
    for path, _original in _walk(document):
        for kind, value in MUTATIONS.items():
            yield f"{_text(path)} -> {kind}", _text(path), _mutated(document, path, value)
    # configurationValues documents whose env (and the whole document) has the wrong type.
    for index, addon in enumerate(document.get("addons") or []):
        for kind, value in MUTATIONS.items():
            for text in (json.dumps({"env": value}), json.dumps(value), yaml.safe_dump({"env": value})):
                mutated = _mutated(document, ("addons", index, "configurationValues"), text)
                yield f"addons[{index}].configurationValues {text!r}", f"addons[{index}].configurationValues", mutated


@pytest.mark.parametrize("name, document", [("seed", SEED), ("wide", WIDE)])
def test_unmutated_documents_convert(name, document):
    definition = eksctl_config(copy.deepcopy(document))
    assert definition["name"] == document["metadata"]["name"]
    normalize(definition, check_files=False)


@pytest.mark.parametrize("name, document", [("seed", SEED), ("wide", WIDE)])
def test_every_mutation_gives_a_definition_or_the_filters_error_naming_the_path(name, document):
    failures = []
    count = 0
    for label, path_text, mutated in _mutations(document):
        count += 1
        # errors=return gives the same message on every tenth (it is one branch of the filter).
        what = _outcome(mutated, path_text, check_return=count % 10 == 0)
        if what:
            failures.append(f"{label}: {what}")
    assert count > 300
    assert not failures, f"{len(failures)} of {count} mutations:\n" + "\n".join(failures[:40])


@pytest.mark.parametrize(
    "section, path",
    [
        ({"managedNodeGroups": [None]}, "managedNodeGroups[0]"),
        ({"addons": [None]}, "addons[0]"),
        ({"managedNodeGroups": [{"name": "ng", "taints": [None]}]}, "managedNodeGroups[0].taints[0]"),
        ({"iam": {"withOIDC": True, "serviceAccounts": [None]}}, "iam.serviceAccounts[0]"),
        ({"availabilityZones": ["us-east-1a", None, "us-east-1b"]}, "availabilityZones[1]"),
    ],
)
def test_a_null_list_entry_is_named(section, path):
    document = {
        "apiVersion": "eksctl.io/v1alpha5",
        "kind": "ClusterConfig",
        "metadata": {"name": "c1", "region": "us-east-1"},
    }
    document.update(section)
    with pytest.raises(AnsibleFilterError) as info:
        eksctl_config(document)
    assert _lines(str(info.value)) == [
        f"  {path}: is null: give {'a string' if 'Zones' in path else 'an entry'} or remove the line"
    ]


def test_mutations_cover_every_key_of_both_documents():
    labels = {label for name in ("seed", "wide") for label, _path, _doc in _mutations(SEED if name == "seed" else WIDE)}
    for path in (
        "managedNodeGroups[0].taints[0] -> null",
        "managedNodeGroups[1].taints.gpu -> list",
        "iam.serviceAccounts[1].attachPolicy -> string",
        "vpc.subnets.private.private-one.az -> number",
        "addons[0].configurationValues -> mapping",
    ):
        assert path in labels, path


def test_a_document_nested_too_deeply_is_the_filters_error():
    deep = "[" * 1500 + "]" * 1500
    document = {
        "apiVersion": "eksctl.io/v1alpha5",
        "kind": "ClusterConfig",
        "metadata": {"name": "c1", "region": "us-east-1"},
        "addons": [{"name": "vpc-cni", "configurationValues": deep}],
    }
    with pytest.raises(AnsibleFilterError) as info:
        eksctl_config(document)
    assert _lines(str(info.value)) == ["  addons[0].configurationValues: is nested too deeply to read"]
    nested = []
    for _level in range(5000):
        nested = [nested]
    with pytest.raises(AnsibleFilterError) as info:
        eksctl_config(dict(document, metadata=nested))
    assert _lines(str(info.value)) == ["  the ClusterConfig is nested too deeply to read"]
