"""OIDC identity providers, EKS Auto Mode and zonal shift: the eksctl importer's mapping of each field, and the
definition's checks, each problem named by its path (the definition's, or the ClusterConfig's)."""

from __future__ import annotations

import copy

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.aews.eks.plugins.filter.eksctl_config import FilterModule
from ansible_collections.aews.eks.plugins.module_utils._eks.definition import DefinitionError
from ansible_collections.aews.eks.plugins.module_utils._eks.definition import normalize

eksctl_config = FilterModule().filters()["eksctl_config"]

NODES = "arn:aws:iam::123456789012:role/nodes"
ZONES = ["ap-northeast-2a", "ap-northeast-2c"]
BASE = {"name": "c1", "region": "ap-northeast-2", "vpc": {"availability_zones": ZONES}, "access": {}}
CONFIG = {
    "apiVersion": "eksctl.io/v1alpha5",
    "kind": "ClusterConfig",
    "metadata": {"name": "c1", "region": "ap-northeast-2"},
}
PROVIDER = {
    "type": "oidc",
    "name": "corp",
    "issuerURL": "https://login.example.com",
    "clientID": "kubernetes",
    "usernameClaim": "email",
    "usernamePrefix": "-",
    "groupsClaim": "groups",
    "groupsPrefix": "oidc:",
    "requiredClaims": {"hd": "example.com"},
    "tags": {"team": "platform"},
}


def config(**sections):
    return dict(copy.deepcopy(CONFIG), **sections)


def problems(cfg):
    with pytest.raises(AnsibleFilterError) as info:
        eksctl_config(cfg)
    return str(info.value).split("\n")[1:]


def refused(**sections):
    with pytest.raises(DefinitionError) as info:
        normalize(dict(copy.deepcopy(BASE), **sections), check_files=False)
    return str(info.value)


def test_identity_providers_convert_field_by_field():
    converted = eksctl_config(config(identityProviders=[PROVIDER]))
    assert converted["identity_providers"] == [
        {
            "name": "corp",
            "issuer_url": "https://login.example.com",
            "client_id": "kubernetes",
            "username_claim": "email",
            "username_prefix": "-",
            "groups_claim": "groups",
            "groups_prefix": "oidc:",
            "required_claims": {"hd": "example.com"},
            "tags": {"team": "platform"},
        }
    ]
    normalized = normalize(converted, check_files=False)
    assert normalized["identity_providers"][0]["required_claims"] == {"hd": "example.com"}
    assert normalize(dict(BASE), check_files=False)["identity_providers"] == []


def test_auto_mode_and_zonal_shift_convert():
    converted = eksctl_config(
        config(
            accessConfig={"authenticationMode": "API"},
            autoModeConfig={"enabled": True, "nodePools": ["system"], "nodeRoleARN": NODES},
            zonalShiftConfig={"enabled": True},
        )
    )
    assert converted["auto_mode"] == {"enabled": True, "node_pools": ["system"], "node_role_arn": NODES}
    assert converted["zonal_shift"] is True
    normalized = normalize(converted, check_files=False)
    assert normalized["auto_mode"]["node_pools"] == ["system"] and normalized["zonal_shift"] is True
    # eksctl's default node pools, and the role the collection makes (no nodeRoleARN).
    default = normalize(eksctl_config(config(autoModeConfig={"enabled": True})), check_files=False)
    assert default["auto_mode"] == {
        "enabled": True,
        "node_pools": ["general-purpose", "system"],
        "node_role_arn": None,
        "node_role_permissions_boundary": None,
    }
    # Not given: left as it is (None), as eksctl leaves a cluster's Auto Mode to `eksctl update auto-mode-config`.
    plain = normalize(eksctl_config(config()), check_files=False)
    assert plain["auto_mode"] is None and plain["zonal_shift"] is None
    off = eksctl_config(config(autoModeConfig={"enabled": False}, zonalShiftConfig={"enabled": False}))
    assert off["auto_mode"] == {"enabled": False} and off["zonal_shift"] is False


def test_auto_mode_leaves_out_the_default_networking_addons_unless_listed():
    on = eksctl_config(config(autoModeConfig={"enabled": True}))
    assert [a["name"] for a in on["addons"]] == ["metrics-server"]
    listed = eksctl_config(config(autoModeConfig={"enabled": True}, addons=[{"name": "coredns", "version": "latest"}]))
    assert [a["name"] for a in listed["addons"]] == ["coredns", "metrics-server"]
    off = eksctl_config(config(autoModeConfig={"enabled": False}))
    assert [a["name"] for a in off["addons"]] == ["vpc-cni", "kube-proxy", "coredns", "metrics-server"]


def test_every_problem_is_named_by_its_clusterconfig_path_in_one_run():
    bad = config(
        identityProviders=[
            {"type": "saml", "name": "corp", "issuerURL": "http://login.example.com", "clientID": ""},
            dict(PROVIDER, name="corp", groupsPrefix="system:oidc", requiredClaims={"k" * 64: "v"}),
        ],
        autoModeConfig={"enabled": True, "nodePools": ["gpu"], "nodeRoleARN": "nodes"},
        managedNodeGroups=[{"name": "ng", "minSize": 3, "maxSize": 1}],
    )
    assert problems(bad) == [
        "  identityProviders[0].type: 'saml': only oidc is supported",
        "  identityProviders[0].clientID: is required",
        "  identityProviders[0].issuerURL: 'http://login.example.com' must be an https:// URL",
        "  identityProviders[1].name: corp is already the name of identityProviders[0]",
        "  identityProviders[1].groupsPrefix: 'system:oidc': EKS refuses a prefix containing system:",
        f"  identityProviders[1].requiredClaims.{'k' * 64}: claim names are 1 to 63 characters",
        "  identityProviders: lists 2 providers: EKS takes one OIDC identity provider per cluster",
        "  autoModeConfig.nodePools[0]: 'gpu' is not a built-in node pool of Auto Mode (general-purpose, system)",
        "  autoModeConfig.nodeRoleARN: 'nodes' is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)",
        "  managedNodeGroups[0].maxSize: 1 is below minSize 3: minSize <= desiredCapacity <= maxSize",
    ]
    # The definition's cross-field check, by the ClusterConfig's path.
    config_map = config(accessConfig={"authenticationMode": "CONFIG_MAP"}, autoModeConfig={"enabled": True})
    assert problems(config_map) == [
        "  autoModeConfig.enabled: Auto Mode needs access entries: the authentication mode must be API or "
        "API_AND_CONFIG_MAP, not CONFIG_MAP"
    ]
    # Wrong types and null entries: named, never a Python exception.
    assert problems(config(identityProviders=[None], autoModeConfig={"enabled": "yes", "nodePools": "system"})) == [
        "  identityProviders[0]: is null: give an entry or remove the line",
        "  autoModeConfig.enabled: must be a boolean, not 'yes'",
        "  autoModeConfig.nodePools: must be a list, not a string",
    ]


@pytest.mark.parametrize(
    "sections, message",
    [
        (dict(identity_providers=[{"name": "x", "issuer_url": "https://a"}]), "identity_providers[0].client_id"),
        (dict(identity_providers=[{"name": "x", "issuer_url": "https://a", "client_id": "c", "claim": 1}]),
         "identity_providers[0].claim: unknown key"),
        (dict(identity_providers=[{"name": "a", "issuer_url": "https://a", "client_id": "c"},
                                  {"name": "b", "issuer_url": "https://b", "client_id": "c"}]),
         "identity_providers: 2 configs: EKS takes one OIDC identity provider config per cluster"),
        (dict(auto_mode={"node_pools": []}), "auto_mode.enabled: is required"),
        (dict(auto_mode={"enabled": True, "node_roles": NODES}), "auto_mode.node_roles: unknown key"),
        (dict(auto_mode={"enabled": False, "node_role_arn": NODES}), "auto_mode.node_role_arn: only with"),
        (dict(auto_mode={"enabled": True}, access={"authentication_mode": "CONFIG_MAP"}), "Auto Mode needs access"),
        (dict(zonal_shift="maybe"), "zonal_shift: must be true or false"),
    ],
)  # fmt: skip
def test_definition_checks(sections, message):
    assert message in refused(**sections)
