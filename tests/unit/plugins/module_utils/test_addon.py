"""Table tests of the pure parts of the add-on logic: versions, configuration values, compare, build."""

from __future__ import annotations

import json

import pytest

from ansible_collections.aews.eks.plugins.module_utils._eks import addon
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError


def _version(version, *compat):
    return {
        "addonVersion": version,
        "architecture": ["amd64", "arm64"],
        "compatibilities": [{"clusterVersion": k, "defaultVersion": d, "platformVersions": ["*"]} for k, d in compat],
        "requiresConfiguration": False,
    }


CATALOGUE = [
    {
        "addonName": "vpc-cni",
        "type": "networking",
        "addonVersions": [
            _version("v1.18.1-eksbuild.1", ("1.29", False), ("1.30", False)),
            _version("v1.19.0-eksbuild.1", ("1.30", False), ("1.31", False)),
            _version("v1.18.3-eksbuild.3", ("1.29", True), ("1.30", True), ("1.31", True)),
            _version("v1.19.2-eksbuild.1", ("1.30", False), ("1.31", False)),
            _version("v1.19.0-eksbuild.2", ("1.30", False), ("1.31", False)),
            _version("v1.20.0-eksbuild.1", ("1.31", False)),
        ],
    },
    {
        "addonName": "coredns",
        "type": "networking",
        "addonVersions": [_version("v1.11.3-eksbuild.2", ("1.31", True))],
    },
]


def test_compatible_versions_newest_first_with_default_marked():
    versions = addon.compatible_versions(CATALOGUE, "vpc-cni", "1.30")
    assert [v["version"] for v in versions] == [
        "v1.19.2-eksbuild.1",
        "v1.19.0-eksbuild.2",
        "v1.19.0-eksbuild.1",
        "v1.18.3-eksbuild.3",
        "v1.18.1-eksbuild.1",
    ]
    assert [v["version"] for v in versions if v["default"]] == ["v1.18.3-eksbuild.3"]


def test_compatible_versions_unknown_and_incompatible():
    assert addon.compatible_versions(CATALOGUE, "no-such-addon", "1.30") is None
    assert addon.compatible_versions(CATALOGUE, "coredns", "1.28") == []


@pytest.mark.parametrize(
    "requested, kubernetes, current, expected",
    [
        ("default", "1.30", None, "v1.18.3-eksbuild.3"),
        (None, "1.31", None, "v1.18.3-eksbuild.3"),
        ("latest", "1.30", None, "v1.19.2-eksbuild.1"),
        ("latest", "1.31", None, "v1.20.0-eksbuild.1"),
        ("v1.19", "1.30", None, "v1.19.2-eksbuild.1"),
        ("v1.19.0", "1.30", None, "v1.19.0-eksbuild.2"),
        ("1.19.0", "1.30", None, "v1.19.0-eksbuild.2"),
        ("v1.19.0-eksbuild.1", "1.30", None, "v1.19.0-eksbuild.1"),
        ("1.19.0-eksbuild.1", "1.30", None, "v1.19.0-eksbuild.1"),
        ("v1", "1.29", None, "v1.18.3-eksbuild.3"),
        # What is installed is accepted as itself, even when no longer listed for the cluster version.
        ("v1.18.1-eksbuild.1", "1.31", "v1.18.1-eksbuild.1", "v1.18.1-eksbuild.1"),
    ],
)
def test_resolve_version(requested, kubernetes, current, expected):
    versions = addon.compatible_versions(CATALOGUE, "vpc-cni", kubernetes)
    assert addon.resolve_version(requested, versions, "vpc-cni", kubernetes, current=current) == expected


def test_default_falls_back_to_newest_when_none_marked():
    catalogue = [
        {
            "addonName": "x",
            "addonVersions": [
                _version("v1.0.0-eksbuild.1", ("1.31", False)),
                _version("v1.1.0-eksbuild.1", ("1.31", False)),
            ],
        }
    ]
    versions = addon.compatible_versions(catalogue, "x", "1.31")
    assert addon.resolve_version("default", versions, "x", "1.31") == "v1.1.0-eksbuild.1"


@pytest.mark.parametrize(
    "name, requested, kubernetes, message",
    [
        (
            "vpc-cni",
            "v1.20.0-eksbuild.1",
            "1.30",
            "version 'v1.20.0-eksbuild.1' is not compatible with Kubernetes 1.30",
        ),
        ("vpc-cni", "v1.21", "1.31", "compatible versions: v1.20.0-eksbuild.1, v1.19.2-eksbuild.1"),
        ("vpc-cni", "v1.1", "1.31", "v1.18.3-eksbuild.3 (default)"),
        ("vpc-cni", "banana", "1.31", "'banana' is not compatible"),
        ("no-such-addon", "default", "1.31", "Unknown add-on 'no-such-addon'"),
        ("coredns", "latest", "1.28", "Add-on coredns has no version compatible with Kubernetes 1.28"),
    ],
)
def test_resolve_version_failures(name, requested, kubernetes, message):
    versions = addon.compatible_versions(CATALOGUE, name, kubernetes)
    with pytest.raises(EksError) as e:
        addon.resolve_version(requested, versions, name, kubernetes)
    assert message in str(e.value)


def test_incompatible_version_lists_compatible_ones():
    versions = addon.compatible_versions(CATALOGUE, "vpc-cni", "1.30")
    with pytest.raises(EksError) as e:
        addon.resolve_version("v1.20.0-eksbuild.1", versions, "vpc-cni", "1.30")
    assert e.value.kwargs["compatible_versions"] == [v["version"] for v in versions]


@pytest.mark.parametrize(
    "current, target, refused",
    [
        ("v1.19.0-eksbuild.2", "v1.19.0-eksbuild.1", True),
        ("v1.19.0-eksbuild.1", "v1.18.3-eksbuild.3", True),
        ("v1.19.0-eksbuild.1", "v1.19.0-eksbuild.1", False),
        ("v1.19.0-eksbuild.1", "v1.19.0-eksbuild.2", False),
        ("v1.9.0-eksbuild.1", "v1.10.0-eksbuild.1", False),
        (None, "v1.10.0-eksbuild.1", False),
    ],
)
def test_check_downgrade(current, target, refused):
    if refused:
        with pytest.raises(EksError, match=f"Refusing to downgrade add-on vpc-cni from {current} to {target}"):
            addon.check_downgrade("vpc-cni", current, target)
    else:
        addon.check_downgrade("vpc-cni", current, target)


# ---------------------------------------------------------------- configuration values
@pytest.mark.parametrize(
    "value, expected",
    [
        (None, None),
        ("", {}),
        ("  ", {}),
        ({"a": 1}, {"a": 1}),
        ('{"env": {"A": "1"}, "b": [1, 2]}', {"env": {"A": "1"}, "b": [1, 2]}),
        ("env:\n  A: '1'\nb:\n  - 1\n  - 2\n", {"env": {"A": "1"}, "b": [1, 2]}),
        ("{}", {}),
    ],
)
def test_parse_configuration(value, expected):
    assert addon.parse_configuration(value) == expected


@pytest.mark.parametrize(
    "value, message",
    [
        ("[1, 2]", "must be a mapping"),
        ("just text", "must be a mapping"),
        ("a: [1\n", "neither valid JSON nor valid YAML"),
        (42, "must be a dict or a JSON or YAML string"),
    ],
)
def test_parse_configuration_failures(value, message):
    with pytest.raises(EksError, match=message):
        addon.parse_configuration(value)


SCHEMA = json.dumps(
    {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "replicaCount": {"type": "integer", "minimum": 1},
            "env": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "ENABLE_PREFIX_DELEGATION": {"type": "string", "enum": ["true", "false"]},
                    "WARM_PREFIX_TARGET": {"type": "string", "pattern": "^[0-9]+$"},
                },
            },
            "tolerations": {"type": "array", "items": {"type": "object"}},
        },
    }
)


@pytest.mark.parametrize(
    "values, errors",
    [
        ({}, []),
        ({"replicaCount": 2, "env": {"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"}}, []),
        ({"replicaCount": "2"}, [("configuration_values.replicaCount", "'2' is not of type 'integer'")]),
        ({"env": {"WARM_PREFIX_TARGET": 1}}, [("configuration_values.env.WARM_PREFIX_TARGET", "1 is not of type")]),
        ({"replicaCount": 0}, [("configuration_values.replicaCount", "less than the minimum of 1")]),
        ({"replicas": 2}, [("configuration_values.replicas", "unknown key (allowed: env, replicaCount, tolerations)")]),
        ({"env": {"WARM_IP": "1"}}, [("configuration_values.env.WARM_IP", "unknown key")]),
        ({"tolerations": ["x"]}, [("configuration_values.tolerations[0]", "'x' is not of type 'object'")]),
        (
            {"replicaCount": "x", "zeta": 1},
            [("configuration_values.replicaCount", "not of type"), ("configuration_values.zeta", "unknown key")],
        ),
    ],
)
def test_schema_errors(values, errors):
    found = addon.schema_errors(values, SCHEMA)
    assert [e["path"] for e in found] == [path for path, _message in errors]
    for (path, message), error in zip(errors, found):
        assert message in error["message"], (path, error)


def test_validate_configuration_names_the_path():
    with pytest.raises(EksError) as e:
        addon.validate_configuration({"env": {"WARM_PREFIX_TARGET": 1}}, SCHEMA, "vpc-cni", "v1.19.0-eksbuild.1")
    assert "configuration_values.env.WARM_PREFIX_TARGET" in str(e.value)
    assert "vpc-cni v1.19.0-eksbuild.1" in str(e.value)
    assert e.value.kwargs["schema_errors"][0]["path"] == "configuration_values.env.WARM_PREFIX_TARGET"


def test_validate_configuration_without_schema():
    addon.validate_configuration({}, "", "x", "v1")
    addon.validate_configuration(None, "", "x", "v1")
    with pytest.raises(EksError, match="takes no configuration values"):
        addon.validate_configuration({"a": 1}, None, "x", "v1")


def test_missing_jsonschema_fails_clearly(monkeypatch):
    monkeypatch.setattr(addon, "jsonschema_library", lambda: (None, "ImportError: no module named jsonschema"))
    with pytest.raises(EksError, match="jsonschema"):
        addon.schema_errors({"a": 1}, SCHEMA)


# ---------------------------------------------------------------- compare and build
CURRENT = {
    "name": "vpc-cni",
    "version": "v1.19.0-eksbuild.1",
    "configuration_values": {"env": {"A": "1", "B": "2"}},
    "service_account_role_arn": "arn:aws:iam::123456789012:role/cni",
    "pod_identity_associations": [],
    "tags": {"team": "platform"},
}

YAML_SAME = "env:\n  B: '2'\n  A: '1'\n"
JSON_SAME = '{"env": {"B": "2", "A": "1"}}'


@pytest.mark.parametrize(
    "desired, expected",
    [
        ({}, {}),
        ({"version": "v1.19.0-eksbuild.1"}, {}),
        ({"configuration_values": addon.parse_configuration(YAML_SAME)}, {}),
        ({"configuration_values": addon.parse_configuration(JSON_SAME)}, {}),
        ({"service_account_role_arn": "arn:aws:iam::123456789012:role/cni"}, {}),
        ({"pod_identity_associations": []}, {}),
        ({"version": "v1.19.2-eksbuild.1"}, {"version": "v1.19.2-eksbuild.1"}),
        ({"configuration_values": {"env": {"A": "1"}}}, {"configuration_values": {"env": {"A": "1"}}}),
        ({"configuration_values": {}}, {"configuration_values": {}}),
        (
            {"service_account_role_arn": "arn:aws:iam::123456789012:role/other"},
            {"service_account_role_arn": "arn:aws:iam::123456789012:role/other"},
        ),
        (
            {"pod_identity_associations": [{"service_account": "aws-node", "role_arn": "arn:r"}]},
            {"pod_identity_associations": [{"service_account": "aws-node", "role_arn": "arn:r"}]},
        ),
    ],
)
def test_compare(desired, expected):
    full = dict.fromkeys(addon.COMPARED_KEYS)
    full.update(desired)
    assert addon.compare(CURRENT, full) == expected


def test_yaml_and_json_configuration_are_equal():
    assert addon.parse_configuration(YAML_SAME) == addon.parse_configuration(JSON_SAME)


def test_compare_associations_ignores_order():
    current = dict(
        CURRENT,
        pod_identity_associations=addon.normalize_associations(
            [{"serviceAccount": "b", "roleArn": "arn:2"}, {"serviceAccount": "a", "roleArn": "arn:1"}]
        ),
    )
    desired = dict.fromkeys(addon.COMPARED_KEYS)
    desired["pod_identity_associations"] = addon.normalize_associations(
        [{"service_account": "a", "role_arn": "arn:1"}, {"service_account": "b", "role_arn": "arn:2"}]
    )
    assert addon.compare(current, desired) == {}


def test_compare_with_unconfigured_addon():
    current = dict(CURRENT, configuration_values={})
    desired = dict.fromkeys(addon.COMPARED_KEYS)
    desired["configuration_values"] = {}
    assert addon.compare(current, desired) == {}


@pytest.mark.parametrize(
    "changes, conflicts, expected",
    [
        ({}, "overwrite", None),
        (
            {"version": "v2"},
            None,
            {"clusterName": "c", "addonName": "a", "addonVersion": "v2"},
        ),
        (
            {"configuration_values": {"b": 1, "a": {"y": 1, "x": 2}}},
            "overwrite",
            {
                "clusterName": "c",
                "addonName": "a",
                "configurationValues": '{"a":{"x":2,"y":1},"b":1}',
                "resolveConflicts": "OVERWRITE",
            },
        ),
        (
            {"pod_identity_associations": [], "service_account_role_arn": "arn:r"},
            "preserve",
            {
                "clusterName": "c",
                "addonName": "a",
                "podIdentityAssociations": [],
                "serviceAccountRoleArn": "arn:r",
                "resolveConflicts": "PRESERVE",
            },
        ),
    ],
)
def test_update_params(changes, conflicts, expected):
    assert addon.update_params("c", "a", changes, conflicts) == expected


def test_create_params():
    desired = {
        "version": "v1",
        "configuration_values": {"a": 1},
        "service_account_role_arn": None,
        "pod_identity_associations": [{"service_account": "sa", "role_arn": "arn:r"}],
    }
    assert addon.create_params("c", "a", desired, {"k": "v"}, "none") == {
        "clusterName": "c",
        "addonName": "a",
        "addonVersion": "v1",
        "configurationValues": '{"a":1}',
        "podIdentityAssociations": [{"serviceAccount": "sa", "roleArn": "arn:r"}],
        "tags": {"k": "v"},
        "resolveConflicts": "NONE",
    }
    bare = dict(desired, configuration_values={}, pod_identity_associations=None)
    assert addon.create_params("c", "a", bare, {}, None) == {"clusterName": "c", "addonName": "a", "addonVersion": "v1"}


def test_normalize():
    described = {
        "addonName": "coredns",
        "clusterName": "c",
        "addonArn": "arn:aws:eks:r:1:addon/c/coredns/x",
        "addonVersion": "v1.11.3-eksbuild.2",
        "status": "DEGRADED",
        "health": {"issues": [{"code": "InsufficientNumberOfReplicas", "message": "no nodes", "resourceIds": ["r"]}]},
        "configurationValues": "replicaCount: 3\n",
        "podIdentityAssociations": ["arn:aws:eks:r:1:podidentityassociation/c/a-1"],
        "tags": {"Name": "keep-Case"},
    }
    associations = [{"serviceAccount": "coredns", "roleArn": "arn:r", "associationId": "a-1"}]
    result = addon.normalize(described, associations)
    assert result["name"] == "coredns"
    assert result["version"] == "v1.11.3-eksbuild.2"
    assert result["health_issues"] == [
        {"code": "InsufficientNumberOfReplicas", "message": "no nodes", "resource_ids": ["r"]}
    ]
    assert result["configuration_values"] == {"replicaCount": 3}
    assert result["pod_identity_associations"] == [{"service_account": "coredns", "role_arn": "arn:r"}]
    assert result["tags"] == {"Name": "keep-Case"}
    assert addon.normalize(None) == {}
    assert addon.association_id(described["podIdentityAssociations"][0]) == "a-1"


def test_predict_updated():
    predicted = addon.predict_updated(CURRENT, {"version": "v1.19.2-eksbuild.1"}, {"env": "prod"}, ["team"])
    assert predicted["version"] == "v1.19.2-eksbuild.1"
    assert predicted["tags"] == {"env": "prod"}
    assert predicted["configuration_values"] == CURRENT["configuration_values"]
    assert CURRENT["tags"] == {"team": "platform"}


@pytest.mark.parametrize(
    "params, message",
    [
        ({"service_account_role_arn": ""}, "service_account_role_arn must be a role ARN"),
        ({"version": " "}, "version must be default, latest"),
        (
            {
                "pod_identity_associations": [
                    {"service_account": "a", "role_arn": "x"},
                    {"service_account": "a", "role_arn": "y"},
                ]
            },
            r"pod_identity_associations\[1\]: service account a is listed twice",
        ),
        ({"configuration_values": "[1]"}, "configuration_values must be a mapping"),
    ],
)
def test_validate_params_failures(params, message):
    with pytest.raises(EksError, match=message):
        addon.validate_params(params)


def test_validate_params_returns_configuration():
    assert addon.validate_params({"configuration_values": YAML_SAME}) == {"env": {"A": "1", "B": "2"}}
    assert addon.validate_params({}) is None


# EKS publishes its schemas as a draft-06 "$ref" to a definition, as in this shape.
REF_SCHEMA = json.dumps(
    {
        "$ref": "#/definitions/Coredns",
        "$schema": "http://json-schema.org/draft-06/schema#",
        "definitions": {
            "Coredns": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "replicaCount": {"type": "integer", "minimum": 1},
                    "podDisruptionBudget": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {"enabled": {"type": "boolean"}},
                    },
                },
            }
        },
    }
)


@pytest.mark.parametrize(
    "values, errors",
    [
        ({"replicaCount": 3, "podDisruptionBudget": {"enabled": True}}, []),
        ({"replicaCount": "3"}, [("configuration_values.replicaCount", "'3' is not of type 'integer'")]),
        ({"podDisruptionBudget": {"on": True}}, [("configuration_values.podDisruptionBudget.on", "unknown key")]),
        (
            {"replicas": 3},
            [("configuration_values.replicas", "unknown key (allowed: podDisruptionBudget, replicaCount)")],
        ),
    ],
)
def test_schema_errors_with_ref(values, errors):
    found = addon.schema_errors(values, REF_SCHEMA)
    assert [(e["path"], m in e["message"]) for e, (_path, m) in zip(found, errors)] == [
        (p, True) for p, _message in errors
    ]
    assert len(found) == len(errors)


EBS_POD_IDENTITY = [{"serviceAccount": "ebs-csi-controller-sa", "recommendedManagedPolicies": ["arn:p"]}]


@pytest.mark.parametrize(
    "associations, configuration, message",
    [
        (None, EBS_POD_IDENTITY, None),
        ([], [], None),
        ([{"service_account": "ebs-csi-controller-sa", "role_arn": "arn:r"}], EBS_POD_IDENTITY, None),
        (
            [
                {"service_account": "ebs-csi-controller-sa", "role_arn": "arn:r"},
                {"service_account": "x", "role_arn": "r"},
            ],
            EBS_POD_IDENTITY,
            r"pod_identity_associations\[1\].service_account: add-on a v1 has no service account 'x'; "
            "it supports: ebs-csi-controller-sa",
        ),
        ([{"service_account": "coredns", "role_arn": "arn:r"}], [], "it supports no EKS Pod Identity association"),
    ],
)
def test_validate_associations(associations, configuration, message):
    if message:
        with pytest.raises(EksError, match=message):
            addon.validate_associations(associations, configuration, "a", "v1")
    else:
        addon.validate_associations(associations, configuration, "a", "v1")


@pytest.mark.parametrize(
    "installed, latest, update_available",
    [
        ("v1.19.0-eksbuild.1", "v1.20.0-eksbuild.1", True),
        ("v1.20.0-eksbuild.1", "v1.20.0-eksbuild.1", False),
    ],
)
def test_installed_entry(installed, latest, update_available):
    versions = addon.compatible_versions(CATALOGUE, "vpc-cni", "1.31")
    entry = addon.installed_entry({"addonName": "vpc-cni", "addonVersion": installed, "status": "ACTIVE"}, [], versions)
    assert (entry["version"], entry["latest_version"], entry["update_available"]) == (
        installed,
        latest,
        update_available,
    )


def test_installed_entry_without_compatible_version():
    entry = addon.installed_entry({"addonName": "coredns", "addonVersion": "v1.11.3-eksbuild.2"}, [], [])
    assert (entry["latest_version"], entry["update_available"]) == (None, False)


def test_available_versions():
    available = addon.available_versions(CATALOGUE, "1.31")
    assert [(v["name"], v["version"], v["default"]) for v in available] == [
        ("coredns", "v1.11.3-eksbuild.2", True),
        ("vpc-cni", "v1.20.0-eksbuild.1", False),
        ("vpc-cni", "v1.19.2-eksbuild.1", False),
        ("vpc-cni", "v1.19.0-eksbuild.2", False),
        ("vpc-cni", "v1.19.0-eksbuild.1", False),
        ("vpc-cni", "v1.18.3-eksbuild.3", True),
    ]
    assert available[0]["type"] == "networking"
    assert available[0]["kubernetes_versions"] == ["1.31"]
    assert addon.available_versions(CATALOGUE, "1.27") == []
    assert addon.available_versions([], "1.31") == []


# ---------------------------------------------------------------- diff view
def test_diff_view_shows_what_the_user_controls_and_nothing_aws_sets():
    described = {
        "addonName": "coredns",
        "clusterName": "c",
        "addonArn": "arn:aws:eks:r:1:addon/c/coredns/x",
        "addonVersion": "v1.11.3-eksbuild.2",
        "status": "UPDATING",
        "health": {"issues": [{"code": "InsufficientNumberOfReplicas", "message": "no nodes", "resourceIds": ["r"]}]},
        "configurationValues": '{"replicaCount": 3, "autoScaling": {"enabled": true}}',
        "createdAt": "2026-01-01T00:00:00",
        "modifiedAt": "2026-01-02T00:00:00",
        "publisher": "eks",
        "owner": "aws",
        "tags": {"b": "2", "a": "1"},
    }
    view = addon.diff_view(addon.normalize(described))
    assert view == {
        "name": "coredns",
        "version": "v1.11.3-eksbuild.2",
        "configuration_values": {"autoScaling": {"enabled": True}, "replicaCount": 3},
        "service_account_role_arn": None,
        "pod_identity_associations": [],
        "tags": {"a": "1", "b": "2"},
    }
    assert list(view["tags"]) == ["a", "b"]
    again = addon.normalize(dict(described, status="ACTIVE", modifiedAt="2026-03-01T00:00:00"))
    assert addon.diff_view(again) == view
    predicted = addon.predict_updated(addon.normalize(described), {"version": "v1.12.1-eksbuild.2"}, {}, [])
    after = addon.diff_view(predicted)
    assert sorted(k for k in view if view[k] != after[k]) == ["version"]
    assert addon.diff_view({}) == {}


# ---------------------------------------------------------------- plan and predict
INSTALLED = dict(CURRENT, cluster_name="c", arn="arn:aws:eks:r:1:addon/c/vpc-cni/x", status="ACTIVE")


def _desired(**values):
    desired = {
        "version": None,
        "configuration_values": None,
        "service_account_role_arn": None,
        "pod_identity_associations": None,
        "tags": None,
    }
    desired.update(values)
    return desired


def test_plan_create_then_predict():
    desired = _desired(version="v1.19.0-eksbuild.1", configuration_values={"env": {"A": "1"}}, tags={"t": "1"})
    changes = addon.plan({}, desired, "c", "vpc-cni", resolve_conflicts="overwrite")
    assert [addon.model.public(c) for c in changes] == [
        {
            "resource": "addon vpc-cni",
            "action": "create",
            "why": "not installed: version v1.19.0-eksbuild.1",
            "call": "create_addon",
            "params": {
                "clusterName": "c",
                "addonName": "vpc-cni",
                "addonVersion": "v1.19.0-eksbuild.1",
                "configurationValues": '{"env":{"A":"1"}}',
                "tags": {"t": "1"},
                "resolveConflicts": "OVERWRITE",
            },
        }
    ]
    predicted = addon.predict({}, changes, "none")
    assert predicted == {
        "name": "vpc-cni",
        "cluster_name": "c",
        "arn": None,
        "version": "v1.19.0-eksbuild.1",
        "status": "CREATING",
        "health_issues": [],
        "configuration_values": {"env": {"A": "1"}},
        "service_account_role_arn": None,
        "pod_identity_associations": [],
        "tags": {"t": "1"},
    }
    assert addon.predict({}, changes)["status"] == "ACTIVE"


def test_plan_nothing_to_do():
    desired = _desired(version="v1.19.0-eksbuild.1", configuration_values=json.loads('{"env": {"B": "2", "A": "1"}}'),
                       tags={"team": "platform"})  # fmt: skip
    assert addon.plan(INSTALLED, desired, "c", "vpc-cni") == []
    assert addon.plan(INSTALLED, _desired(), "c", "vpc-cni") == []
    assert addon.predict(INSTALLED, []) == INSTALLED


def test_plan_update_untag_tag_in_order_and_predict():
    role = "arn:aws:iam::123456789012:role/other"
    associations = [{"service_account": "aws-node", "role_arn": "arn:r"}]
    desired = _desired(version="v1.19.2-eksbuild.1", service_account_role_arn=role,
                       pod_identity_associations=associations, tags={"env": "prod"})  # fmt: skip
    changes = addon.plan(INSTALLED, desired, "c", "vpc-cni", resolve_conflicts="preserve")
    assert [(c["action"], c["why"], c["call"]) for c in changes] == [
        (
            "update",
            "pod_identity_associations; service_account_role_arn arn:aws:iam::123456789012:role/cni -> "
            f"{role}; version v1.19.0-eksbuild.1 -> v1.19.2-eksbuild.1",
            "update_addon",
        ),
        ("untag", "tags team", "untag_resource"),
        ("tag", "tags env", "tag_resource"),
    ]
    assert changes[0]["params"] == {
        "clusterName": "c",
        "addonName": "vpc-cni",
        "addonVersion": "v1.19.2-eksbuild.1",
        "serviceAccountRoleArn": role,
        "podIdentityAssociations": [{"serviceAccount": "aws-node", "roleArn": "arn:r"}],
        "resolveConflicts": "PRESERVE",
    }
    assert changes[1]["params"] == {"resourceArn": INSTALLED["arn"], "tagKeys": ["team"]}
    assert changes[2]["params"] == {"resourceArn": INSTALLED["arn"], "tags": {"env": "prod"}}
    predicted = addon.predict(INSTALLED, changes)
    assert predicted == dict(INSTALLED, version="v1.19.2-eksbuild.1", service_account_role_arn=role,
                             pod_identity_associations=associations, tags={"env": "prod"})  # fmt: skip
    assert INSTALLED["tags"] == {"team": "platform"}


def test_plan_tags_without_purge_only_adds():
    changes = addon.plan(INSTALLED, _desired(tags={"env": "prod"}), "c", "vpc-cni", purge_tags=False)
    assert [c["action"] for c in changes] == ["tag"]
    assert addon.predict(INSTALLED, changes)["tags"] == {"team": "platform", "env": "prod"}


def test_plan_configuration_removed():
    changes = addon.plan(INSTALLED, _desired(configuration_values={}), "c", "vpc-cni")
    assert [(c["action"], c["why"]) for c in changes] == [("update", "configuration_values")]
    assert changes[0]["params"]["configurationValues"] == "{}"
    assert addon.predict(INSTALLED, changes)["configuration_values"] == {}


@pytest.mark.parametrize(
    "current, preserve, expected",
    [
        ({}, False, []),
        (dict(INSTALLED, status="DELETING"), False, []),
        (
            INSTALLED,
            False,
            [("delete", "state=absent", {"clusterName": "c", "addonName": "vpc-cni", "preserve": False})],
        ),
        (
            INSTALLED,
            True,
            [
                (
                    "delete",
                    "state=absent, the software kept on the cluster (preserve)",
                    {"clusterName": "c", "addonName": "vpc-cni", "preserve": True},
                )
            ],
        ),
    ],
)
def test_plan_delete(current, preserve, expected):
    changes = addon.plan(current, None, "c", "vpc-cni", state="absent", preserve=preserve)
    assert [(c["action"], c["why"], c["params"]) for c in changes] == expected
    if changes:
        assert addon.predict(current, changes) == {}


# ---------------------------------------------------------------- what the add-ons read of their cluster, once
SHARED_CATALOGUE = [
    {
        "addonName": "vpc-cni",
        "addonVersions": [
            {
                "addonVersion": "v1.19.0-eksbuild.1",
                "compatibilities": [{"clusterVersion": "1.33", "defaultVersion": True}],
            },
            {"addonVersion": "v1.20.0-eksbuild.1", "compatibilities": [{"clusterVersion": "1.33"}]},
        ],
    },
    {
        "addonName": "coredns",
        "addonVersions": [
            {
                "addonVersion": "v1.11.4-eksbuild.2",
                "compatibilities": [{"clusterVersion": "1.33", "defaultVersion": True}],
            }
        ],
    },
]


@pytest.fixture
def reads(monkeypatch):
    """The AWS calls ClusterReads makes, recorded (operation, arguments)."""
    calls = []

    def describe_cluster(eks, name):
        calls.append(("DescribeCluster", name))
        return {"name": name, "version": "1.33"} if name == "myeks" else None

    def describe_addon_versions(eks, **query):
        calls.append(("DescribeAddonVersions", query))
        if "addonName" in query:
            return [a for a in SHARED_CATALOGUE if a["addonName"] == query["addonName"]]
        return SHARED_CATALOGUE

    monkeypatch.setattr(addon.api, "describe_cluster", describe_cluster)
    monkeypatch.setattr(addon.api, "describe_addon_versions", describe_addon_versions)
    return calls


def _params(name, version):
    return {"name": name, "version": version, "pod_identity_associations": None}


def test_installed_version_asked_by_its_exact_name_reads_nothing(reads):
    shared = addon.ClusterReads(None, "myeks", shared_catalogue=True)
    current = {"addonVersion": "v1.19.0-eksbuild.1"}
    assert addon._resolve(None, shared, _params("vpc-cni", "v1.19.0-eksbuild.1"), current, None) == "v1.19.0-eksbuild.1"
    assert reads == []


def test_shared_catalogue_is_read_once_for_the_clusters_kubernetes_version(reads):
    shared = addon.ClusterReads(None, "myeks", shared_catalogue=True)
    assert addon._resolve(None, shared, _params("vpc-cni", "default"), None, None) == "v1.19.0-eksbuild.1"
    assert addon._resolve(None, shared, _params("coredns", "latest"), None, None) == "v1.11.4-eksbuild.2"
    assert reads == [("DescribeCluster", "myeks"), ("DescribeAddonVersions", {"kubernetesVersion": "1.33"})]
    # An add-on the catalogue of that version does not list is asked for by name (unknown, or not for 1.33).
    with pytest.raises(EksError, match="Unknown add-on 'nope'"):
        addon._resolve(None, shared, _params("nope", "default"), None, None)
    assert reads[-1] == ("DescribeAddonVersions", {"addonName": "nope"})


def test_one_add_on_reads_its_own_catalogue(reads):
    one = addon.ClusterReads(None, "myeks")
    assert addon._resolve(None, one, _params("vpc-cni", "latest"), {"addonVersion": "v1.19.0-eksbuild.1"}, None) == (
        "v1.20.0-eksbuild.1"
    )
    assert reads == [("DescribeCluster", "myeks"), ("DescribeAddonVersions", {"addonName": "vpc-cni"})]


def test_a_cluster_that_is_not_there_is_said_once(reads):
    shared = addon.ClusterReads(None, "gone", shared_catalogue=True)
    with pytest.raises(EksError, match="Cluster gone does not exist"):
        shared.cluster()
    assert shared.missing


def test_loading_the_add_on_code_imports_neither_jsonschema_nor_yaml():
    """The definition check and eks_addons load this file on every run; jsonschema and PyYAML are imported only for
    a configuration to check or read (about 40 ms of each module run otherwise)."""
    import pathlib
    import subprocess
    import sys

    probe = (
        "import sys; from ansible_collections.aews.eks.plugins.module_utils._eks import addon, preflight; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'jsonschema', 'yaml'}))"
    )
    root = pathlib.Path(__file__).resolve().parents[4]
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                            cwd=root / "collections")  # fmt: skip
    assert result.stdout.strip() == "[]"
