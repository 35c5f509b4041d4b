"""The pure parts of the cluster logic: desired state, the plan of changes and the prediction."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.aews.eks.plugins.module_utils._eks import cluster as c
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError

ROLE = "arn:aws:iam::123456789012:role/myeks-cluster"
KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OFFERED = ["1.30", "1.31", "1.32", "1.33"]

CLUSTER = {
    "name": "myeks",
    "arn": "arn:aws:eks:ap-northeast-2:123456789012:cluster/myeks",
    "status": "ACTIVE",
    "version": "1.31",
    "roleArn": ROLE,
    "resourcesVpcConfig": {
        "vpcId": "vpc-1",
        "subnetIds": ["subnet-a", "subnet-b"],
        "securityGroupIds": ["sg-1"],
        "clusterSecurityGroupId": "sg-cluster",
        "endpointPublicAccess": True,
        "endpointPrivateAccess": False,
        "publicAccessCidrs": ["0.0.0.0/0"],
    },
    "kubernetesNetworkConfig": {"ipFamily": "ipv4", "serviceIpv4Cidr": "10.100.0.0/16"},
    "logging": {
        "clusterLogging": [
            {"types": ["api", "audit"], "enabled": True},
            {"types": ["authenticator", "controllerManager", "scheduler"], "enabled": False},
        ]
    },
    "accessConfig": {"authenticationMode": "API_AND_CONFIG_MAP"},
    "upgradePolicy": {"supportType": "EXTENDED"},
    "tags": {"env": "study", "Owner": "Team A"},
}


def params(**overrides):
    base = dict(
        name="myeks",
        version=None,
        role_arn=None,
        subnet_ids=None,
        security_group_ids=None,
        endpoint_public_access=None,
        endpoint_private_access=None,
        public_access_cidrs=None,
        logging=None,
        encryption=None,
        kubernetes_network_config=None,
        access_config=None,
        bootstrap_self_managed_addons=False,
        upgrade_policy=None,
        tags=None,
        purge_tags=True,
    )
    base.update(overrides)
    return base


def desired(**overrides):
    return c.build_desired(params(**overrides))


def types_of(changes):
    return [change["type"] for change in changes]


# ---------------------------------------------------------------- build
def test_build_desired_keeps_only_given_options():
    assert c.build_desired(params()) == {"name": "myeks", "bootstrapSelfManagedAddons": False, "purgeTags": True}


@pytest.mark.parametrize(
    "overrides, message",
    [
        (dict(version="1.3x"), "version: '1.3x' is not a Kubernetes minor version"),
        (dict(version="1"), "version: '1' is not"),
        (dict(endpoint_public_access=False, endpoint_private_access=False), "cannot both be false"),
        (dict(public_access_cidrs=["10.0.0.0/33"]), "public_access_cidrs: '10.0.0.0/33' is not a CIDR block"),
        (dict(public_access_cidrs=["::/0"]), "public_access_cidrs: '::/0' is not an IPv4 CIDR block"),
        (dict(subnet_ids=[]), "subnet_ids: give at least two subnets"),
        (dict(encryption="my-key"), "encryption: 'my-key' is not a KMS key ARN"),
        (dict(logging=["api", "kubelet"]), "logging: 'kubelet' is not one of"),
        (
            dict(kubernetes_network_config={"ip_family": "ipv6", "service_ipv4_cidr": "10.100.0.0/16"}),
            "service_ipv4_cidr cannot be set with ip_family ipv6",
        ),
        (
            dict(kubernetes_network_config={"ip_family": None, "service_ipv4_cidr": "10.100.0.0"}),
            None,
        ),
        (
            dict(kubernetes_network_config={"ip_family": None, "service_ipv4_cidr": "fd00::/108"}),
            "service_ipv4_cidr: 'fd00::/108' is not an IPv4 CIDR block",
        ),
    ],
)
def test_build_desired_rejects_bad_input(overrides, message):
    if message is None:
        # A bare address is a /32 network: accepted here, EKS judges the size.
        assert desired(**overrides)["serviceIpv4Cidr"] == "10.100.0.0"
        return
    with pytest.raises(EksError, match=message):
        desired(**overrides)


@pytest.mark.parametrize(
    "logging, expected",
    [
        ([], set()),
        (["all"], set(c.LOG_TYPES)),
        (["api", "all"], set(c.LOG_TYPES)),
        (["audit", "api", "audit"], {"api", "audit"}),
        (None, None),
    ],
)
def test_log_types(logging, expected):
    assert c.log_types(logging) == expected


def test_create_params_full():
    d = desired(
        version="1.33",
        role_arn=ROLE,
        subnet_ids=["subnet-a", "subnet-b"],
        security_group_ids=["sg-1"],
        endpoint_public_access=True,
        endpoint_private_access=True,
        public_access_cidrs=["203.0.113.0/24"],
        logging=["audit", "api"],
        encryption=KEY,
        kubernetes_network_config={"ip_family": "ipv4", "service_ipv4_cidr": "10.100.0.0/16"},
        access_config={"authentication_mode": "API", "bootstrap_cluster_creator_admin_permissions": False},
        upgrade_policy={"support_type": "STANDARD"},
        tags={"Owner": "Team A", "cost-center": "42"},
    )
    assert c.create_params(d) == {
        "name": "myeks",
        "version": "1.33",
        "roleArn": ROLE,
        "resourcesVpcConfig": {
            "subnetIds": ["subnet-a", "subnet-b"],
            "securityGroupIds": ["sg-1"],
            "endpointPublicAccess": True,
            "endpointPrivateAccess": True,
            "publicAccessCidrs": ["203.0.113.0/24"],
        },
        "bootstrapSelfManagedAddons": False,
        "kubernetesNetworkConfig": {"ipFamily": "ipv4", "serviceIpv4Cidr": "10.100.0.0/16"},
        "logging": {
            "clusterLogging": [
                {"types": ["api", "audit"], "enabled": True},
                {"types": ["authenticator", "controllerManager", "scheduler"], "enabled": False},
            ]
        },
        "encryptionConfig": [{"resources": ["secrets"], "provider": {"keyArn": KEY}}],
        "accessConfig": {"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": False},
        "upgradePolicy": {"supportType": "STANDARD"},
        "tags": {"Owner": "Team A", "cost-center": "42"},
    }


def test_create_params_minimal():
    d = desired(role_arn=ROLE, subnet_ids=["subnet-a", "subnet-b"])
    assert c.create_params(d) == {
        "name": "myeks",
        "roleArn": ROLE,
        "resourcesVpcConfig": {"subnetIds": ["subnet-a", "subnet-b"]},
        "bootstrapSelfManagedAddons": False,
    }


@pytest.mark.parametrize(
    "overrides, missing",
    [
        (dict(), "role_arn and subnet_ids"),
        (dict(role_arn=ROLE), "subnet_ids"),
        (dict(subnet_ids=["subnet-a", "subnet-b"]), "role_arn"),
    ],
)
def test_create_params_names_what_is_missing(overrides, missing):
    with pytest.raises(EksError, match=f"Creating cluster myeks needs {missing}$"):
        c.create_params(desired(**overrides))


def test_logging_config_all_off_and_all_on():
    assert c.logging_config(set()) == {"clusterLogging": [{"types": list(c.LOG_TYPES), "enabled": False}]}
    assert c.logging_config(set(c.LOG_TYPES)) == {"clusterLogging": [{"types": list(c.LOG_TYPES), "enabled": True}]}


# ---------------------------------------------------------------- compare: one table, every update type
@pytest.mark.parametrize(
    "overrides, expected",
    [
        # nothing asked
        (dict(), []),
        # everything asked, all equal to the cluster
        (
            dict(
                version="1.31",
                role_arn=ROLE,
                subnet_ids=["subnet-b", "subnet-a"],
                security_group_ids=["sg-1"],
                endpoint_public_access=True,
                endpoint_private_access=False,
                public_access_cidrs=["0.0.0.0/0"],
                logging=["audit", "api"],
                kubernetes_network_config={"ip_family": "ipv4", "service_ipv4_cidr": "10.100.0.0/16"},
                access_config={"authentication_mode": "API_AND_CONFIG_MAP"},
                upgrade_policy={"support_type": "EXTENDED"},
                tags={"env": "study", "Owner": "Team A"},
            ),
            [],
        ),
        (
            dict(endpoint_private_access=True),
            [
                (
                    "EndpointAccessUpdate",
                    {"resourcesVpcConfig": {"endpointPublicAccess": True, "endpointPrivateAccess": True}},
                )
            ],
        ),
        (
            dict(endpoint_public_access=False, endpoint_private_access=True),
            [
                (
                    "EndpointAccessUpdate",
                    {"resourcesVpcConfig": {"endpointPublicAccess": False, "endpointPrivateAccess": True}},
                )
            ],
        ),
        (
            dict(public_access_cidrs=["203.0.113.0/24"]),
            [
                (
                    "EndpointAccessUpdate",
                    {
                        "resourcesVpcConfig": {
                            "endpointPublicAccess": True,
                            "endpointPrivateAccess": False,
                            "publicAccessCidrs": ["203.0.113.0/24"],
                        }
                    },
                )
            ],
        ),
        (
            dict(subnet_ids=["subnet-a", "subnet-c"]),
            [
                (
                    "VpcConfigUpdate",
                    {"resourcesVpcConfig": {"subnetIds": ["subnet-a", "subnet-c"], "securityGroupIds": ["sg-1"]}},
                )
            ],
        ),
        (
            dict(security_group_ids=[]),
            [
                (
                    "VpcConfigUpdate",
                    {"resourcesVpcConfig": {"subnetIds": ["subnet-a", "subnet-b"], "securityGroupIds": []}},
                )
            ],
        ),
        (
            dict(logging=["all"]),
            [("LoggingUpdate", {"logging": {"clusterLogging": [{"types": list(c.LOG_TYPES), "enabled": True}]}})],
        ),
        (
            dict(logging=[]),
            [("LoggingUpdate", {"logging": {"clusterLogging": [{"types": list(c.LOG_TYPES), "enabled": False}]}})],
        ),
        (
            dict(access_config={"authentication_mode": "API"}),
            [("AccessConfigUpdate", {"accessConfig": {"authenticationMode": "API"}})],
        ),
        (
            dict(upgrade_policy={"support_type": "STANDARD"}),
            [("UpgradePolicyUpdate", {"upgradePolicy": {"supportType": "STANDARD"}})],
        ),
        (
            dict(encryption=KEY),
            [
                (
                    "AssociateEncryptionConfig",
                    {"encryption_config": [{"resources": ["secrets"], "provider": {"keyArn": KEY}}]},
                )
            ],
        ),
        (dict(version="1.32"), [("VersionUpdate", {"version": "1.32"})]),
        (dict(tags={"env": "prod", "Owner": "Team A"}), [("TagResource", {"tags": {"env": "prod"}})]),
        (dict(tags={"env": "study"}), [("UntagResource", {"keys": ["Owner"]})]),
        (dict(tags={"new": "1"}, purge_tags=False), [("TagResource", {"tags": {"new": "1"}})]),
        (dict(tags={"env": "study"}, purge_tags=False), []),
        (dict(tags={}), [("UntagResource", {"keys": ["Owner", "env"]})]),
    ],
)
def test_plan(overrides, expected):
    changes = c.plan(CLUSTER, desired(**overrides), OFFERED, {})
    assert [(change["type"], c.report(change)["params"]) for change in changes] == expected
    # Each record's params are its call's parameters: the reported ones plus the cluster's name (or ARN for tags).
    for change in changes:
        target = {"arn": CLUSTER["arn"]} if change["call"] in ("tag_resource", "untag_resource") else {"name": "myeks"}
        assert change["params"] == dict(c.report(change)["params"], **target)
        assert change["resource"] == "cluster myeks" and change["why"]


def test_plan_orders_every_change_tags_first_version_last():
    d = desired(
        version="1.33",
        endpoint_private_access=True,
        security_group_ids=["sg-2"],
        logging=["all"],
        access_config={"authentication_mode": "API"},
        upgrade_policy={"support_type": "STANDARD"},
        encryption=KEY,
        tags={"env": "prod"},
    )
    changes = c.plan(CLUSTER, d, OFFERED, {"security_group_ids": {"vpc-1"}})
    assert types_of(changes) == [
        "UntagResource",
        "TagResource",
        "EndpointAccessUpdate",
        "VpcConfigUpdate",
        "LoggingUpdate",
        "AccessConfigUpdate",
        "UpgradePolicyUpdate",
        "AssociateEncryptionConfig",
        "VersionUpdate",
        "VersionUpdate",
    ]
    # What the changes lead to is what was asked.
    after = c.predict(CLUSTER, changes)
    assert c.plan(after, d, OFFERED, {}) == []
    assert after["version"] == "1.33"
    assert after["tags"] == {"env": "prod"}
    assert after["resourcesVpcConfig"]["securityGroupIds"] == ["sg-2"]
    assert after["resourcesVpcConfig"]["endpointPrivateAccess"] is True
    assert c.enabled_log_types(after) == set(c.LOG_TYPES)
    assert after["accessConfig"]["authenticationMode"] == "API"
    assert after["upgradePolicy"] == {"supportType": "STANDARD"}
    assert c.current_key_arn(after) == KEY
    # The input is left untouched.
    assert CLUSTER["version"] == "1.31" and CLUSTER["tags"] == {"env": "study", "Owner": "Team A"}


def test_plan_endpoint_both_false_after_merge():
    private_only = copy.deepcopy(CLUSTER)
    private_only["resourcesVpcConfig"].update(endpointPublicAccess=False, endpointPrivateAccess=True)
    with pytest.raises(EksError, match="cannot both be false"):
        c.plan(private_only, desired(endpoint_private_access=False), OFFERED, {})
    changes = c.plan(private_only, desired(endpoint_public_access=True, endpoint_private_access=False), OFFERED, {})
    assert types_of(changes) == ["EndpointAccessUpdate"]


def test_plan_cidrs_compare_as_sets():
    two = copy.deepcopy(CLUSTER)
    two["resourcesVpcConfig"]["publicAccessCidrs"] = ["203.0.113.0/24", "198.51.100.0/24"]
    assert c.plan(two, desired(public_access_cidrs=["198.51.100.0/24", "203.0.113.0/24"]), OFFERED, {}) == []


def test_plan_encryption_already_set_same_key_is_no_change():
    encrypted = dict(CLUSTER, encryptionConfig=[{"resources": ["secrets"], "provider": {"keyArn": KEY}}])
    assert c.plan(encrypted, desired(encryption=KEY), OFFERED, {}) == []


# ---------------------------------------------------------------- immutables
@pytest.mark.parametrize(
    "overrides, vpc_ids, named",
    [
        (dict(role_arn="arn:aws:iam::123456789012:role/other"), {}, ["role_arn"]),
        (dict(subnet_ids=["subnet-x", "subnet-y"]), {"subnet_ids": {"vpc-2"}}, ["VPC (subnet_ids are in vpc-2"]),
        (dict(security_group_ids=["sg-x"]), {"security_group_ids": {"vpc-2"}}, ["VPC (security_group_ids"]),
        (dict(kubernetes_network_config={"ip_family": "ipv6", "service_ipv4_cidr": None}), {}, ["ip_family"]),
        (
            dict(kubernetes_network_config={"ip_family": None, "service_ipv4_cidr": "172.20.0.0/16"}),
            {},
            ["service_ipv4_cidr (is 10.100.0.0/16, asked 172.20.0.0/16)"],
        ),
        (
            dict(
                role_arn="arn:aws:iam::123456789012:role/other",
                subnet_ids=["subnet-x", "subnet-y"],
                kubernetes_network_config={"ip_family": "ipv6", "service_ipv4_cidr": None},
                version="1.33",
                logging=["all"],
            ),
            {"subnet_ids": {"vpc-1", "vpc-2"}},
            ["role_arn", "VPC (subnet_ids are in vpc-2,", "ip_family"],
        ),
    ],
)
def test_plan_fails_on_immutables_naming_each(overrides, vpc_ids, named):
    with pytest.raises(EksError) as info:
        c.plan(CLUSTER, desired(**overrides), OFFERED, vpc_ids)
    message = str(info.value)
    assert message.startswith("Cluster myeks cannot change in place: ")
    for name in named:
        assert name in message
    assert len(info.value.kwargs["immutable"]) == len(named)


def test_plan_encryption_key_cannot_change():
    encrypted = dict(CLUSTER, encryptionConfig=[{"resources": ["secrets"], "provider": {"keyArn": KEY}}])
    other = KEY.replace("1234abcd", "9999ffff")
    with pytest.raises(EksError, match=r"encryption \(is .*1234abcd.*, asked .*9999ffff"):
        c.plan(encrypted, desired(encryption=other), OFFERED, {})


def test_subnets_in_the_same_vpc_are_not_an_immutable_difference():
    assert c.immutable_differences(CLUSTER, desired(subnet_ids=["subnet-c"]), {"subnet_ids": {"vpc-1"}}) == []


# ---------------------------------------------------------------- versions
@pytest.mark.parametrize(
    "current, target, steps",
    [
        ("1.31", "1.31", []),
        ("1.31", "1.32", ["1.32"]),
        ("1.30", "1.32", ["1.31", "1.32"]),
        ("1.29", "1.33", ["1.30", "1.31", "1.32", "1.33"]),
        ("1.32", "1.31", []),
    ],
)
def test_version_steps(current, target, steps):
    assert c.version_steps(current, target) == steps


def test_plan_multi_step_upgrade_each_its_own_update():
    changes = c.plan(CLUSTER, desired(version="1.33"), OFFERED, {})
    assert [(ch["action"], ch["call"], ch["params"], ch["why"]) for ch in changes] == [
        (
            "upgrade",
            "update_cluster_version",
            {"name": "myeks", "version": "1.32"},
            "version 1.31 -> 1.32 (on the way to 1.33)",
        ),
        ("upgrade", "update_cluster_version", {"name": "myeks", "version": "1.33"}, "version 1.32 -> 1.33"),
    ]
    assert c.predict(CLUSTER, changes)["version"] == "1.33"


@pytest.mark.parametrize(
    "target, message",
    [
        ("1.30", r"cannot downgrade the cluster from 1.31 to 1.30; EKS offers 1.30, 1.31, 1.32, 1.33"),
        ("1.34", r"EKS does not offer 1.34; it offers 1.30, 1.31, 1.32, 1.33"),
        ("2.0", r"EKS does not offer 2.0; it offers 1.30, 1.31, 1.32, 1.33"),
    ],
)
def test_plan_version_refused(target, message):
    with pytest.raises(EksError, match=message):
        c.plan(CLUSTER, desired(version=target), OFFERED, {})


def test_check_version_lists_offered_and_an_intermediate_gap():
    with pytest.raises(EksError, match="through 1.32, which EKS does not offer; it offers 1.31, 1.33") as info:
        c.check_version("1.33", "1.31", ["1.33", "1.31"])
    assert info.value.kwargs["offered_versions"] == ["1.31", "1.33"]
    c.check_version("1.33", None, OFFERED)
    with pytest.raises(EksError, match="EKS does not offer 1.29"):
        c.check_version("1.29", None, OFFERED)


# ---------------------------------------------------------------- authentication mode
@pytest.mark.parametrize(
    "current, target, steps",
    [
        ("CONFIG_MAP", "CONFIG_MAP", []),
        ("CONFIG_MAP", "API_AND_CONFIG_MAP", ["API_AND_CONFIG_MAP"]),
        ("CONFIG_MAP", "API", ["API_AND_CONFIG_MAP", "API"]),
        ("API_AND_CONFIG_MAP", "API", ["API"]),
        ("API", "API", []),
    ],
)
def test_authentication_steps(current, target, steps):
    assert c.authentication_steps(current, target) == steps


@pytest.mark.parametrize(
    "current, target",
    [("API", "API_AND_CONFIG_MAP"), ("API", "CONFIG_MAP"), ("API_AND_CONFIG_MAP", "CONFIG_MAP")],
)
def test_authentication_mode_never_goes_back(current, target):
    with pytest.raises(EksError, match=f"cannot change from {current} to {target}; EKS only moves CONFIG_MAP -> "):
        c.authentication_steps(current, target)


def test_cluster_without_access_config_is_config_map():
    old = {k: v for k, v in CLUSTER.items() if k != "accessConfig"}
    changes = c.plan(old, desired(access_config={"authentication_mode": "API"}), OFFERED, {})
    assert [ch["params"]["accessConfig"]["authenticationMode"] for ch in changes] == ["API_AND_CONFIG_MAP", "API"]


# ---------------------------------------------------------------- predict and shape
def test_predict_created_and_shape():
    d = desired(role_arn=ROLE, subnet_ids=["subnet-a", "subnet-b"], logging=["api"], tags={"Owner": "Team A"})
    predicted = c.predict_created(d)
    shaped = c.shape(predicted, updates=[])
    assert shaped["status"] == "CREATING"
    assert shaped["role_arn"] == ROLE
    assert shaped["resources_vpc_config"] == {"subnet_ids": ["subnet-a", "subnet-b"]}
    assert shaped["enabled_log_types"] == ["api"]
    assert shaped["tags"] == {"Owner": "Team A"}
    assert shaped["updates"] == []


def test_shape_keeps_tag_keys_and_lists_log_types():
    shaped = c.shape(CLUSTER, nodegroups=["ng-1"], addons=["vpc-cni"])
    assert shaped["tags"] == {"env": "study", "Owner": "Team A"}
    assert shaped["resources_vpc_config"]["cluster_security_group_id"] == "sg-cluster"
    assert shaped["enabled_log_types"] == ["api", "audit"]
    assert shaped["nodegroups"] == ["ng-1"] and shaped["addons"] == ["vpc-cni"]
    assert "updates" not in shaped
    assert c.shape(None) == {}


def test_version_steps_refuse_a_major_version_change():
    with pytest.raises(EksError, match="cannot upgrade from 1.31 to 2.0 \\(different major version\\)"):
        c.version_steps("1.31", "2.0")


# ---------------------------------------------------------------- diff view
def test_diff_view_shows_what_the_user_controls_sorted_and_nothing_aws_sets():
    described = copy.deepcopy(CLUSTER)
    described["resourcesVpcConfig"]["subnetIds"] = ["subnet-b", "subnet-a"]
    described.update(
        status="UPDATING",
        endpoint="https://ABC.gr7.ap-northeast-2.eks.amazonaws.com",
        certificateAuthority={"data": "LS0t" * 250},
        identity={"oidc": {"issuer": "https://oidc.eks.ap-northeast-2.amazonaws.com/id/ABC"}},
        createdAt="2026-01-01T00:00:00",
        modifiedAt="2026-01-02T00:00:00",
        health={"issues": []},
        platformVersion="eks.5",
    )
    view = c.diff_view(described)
    assert view == {
        "name": "myeks",
        "version": "1.31",
        "role_arn": ROLE,
        "resources_vpc_config": {
            "subnet_ids": ["subnet-a", "subnet-b"],
            "security_group_ids": ["sg-1"],
            "endpoint_public_access": True,
            "endpoint_private_access": False,
            "public_access_cidrs": ["0.0.0.0/0"],
        },
        "enabled_log_types": ["api", "audit"],
        "kubernetes_network_config": {"ip_family": "ipv4", "service_ipv4_cidr": "10.100.0.0/16"},
        "access_config": {"authentication_mode": "API_AND_CONFIG_MAP"},
        "upgrade_policy": {"support_type": "EXTENDED"},
        "tags": {"Owner": "Team A", "env": "study"},
    }
    # Same cluster, lists in another order, AWS-only fields changed: the same view (no spurious diff).
    again = copy.deepcopy(described)
    again["resourcesVpcConfig"]["subnetIds"].reverse()
    again.update(status="ACTIVE", modifiedAt="2026-02-02T00:00:00")
    assert c.diff_view(again) == view
    assert c.diff_view(None) == {} and c.diff_view({}) == {}


def test_diff_view_of_a_planned_change_shows_exactly_that_change():
    changes = c.plan(CLUSTER, desired(version="1.32", logging=["all"], tags={"env": "prod"}, purge_tags=False), OFFERED)
    before, after = c.diff_view(CLUSTER), c.diff_view(c.predict(CLUSTER, changes))
    differing = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    assert differing == ["enabled_log_types", "tags", "version"]
    assert after["version"] == "1.32"
    assert after["enabled_log_types"] == sorted(c.LOG_TYPES)
    assert after["tags"] == {"Owner": "Team A", "env": "prod"}
    assert c.diff_view(c.predict(CLUSTER, changes + [])) == after


def test_diff_view_shows_the_encryption_key():
    described = dict(CLUSTER, encryptionConfig=c.encryption_config(KEY))
    assert c.diff_view(described)["encryption_config"] == [{"resources": ["secrets"], "provider": {"key_arn": KEY}}]


# ---------------------------------------------------------------- change records, apply and the outcome
class FakeModule:
    def __init__(self, diff=False):
        self._diff = diff


def test_plan_records_name_the_call_its_params_and_why():
    d = desired(endpoint_private_access=True, logging=["api"], tags={"env": "prod", "Owner": "Team A"})
    assert [
        {k: ch[k] for k in ("resource", "action", "why", "call", "params")} for ch in c.plan(CLUSTER, d, OFFERED)
    ] == [
        {
            "resource": "cluster myeks",
            "action": "tag",
            "why": "tags env: study -> prod",
            "call": "tag_resource",
            "params": {"arn": CLUSTER["arn"], "tags": {"env": "prod"}},
        },
        {
            "resource": "cluster myeks",
            "action": "update",
            "why": "endpoint_private_access False -> True",
            "call": "update_cluster_config",
            "params": {
                "name": "myeks",
                "resourcesVpcConfig": {"endpointPublicAccess": True, "endpointPrivateAccess": True},
            },
        },
        {
            "resource": "cluster myeks",
            "action": "update",
            "why": "logging api, audit -> api",
            "call": "update_cluster_config",
            "params": {
                "name": "myeks",
                "logging": {
                    "clusterLogging": [
                        {"types": ["api"], "enabled": True},
                        {"types": ["audit", "authenticator", "controllerManager", "scheduler"], "enabled": False},
                    ]
                },
            },
        },
    ]


def test_plan_without_a_cluster_is_one_create_with_the_create_params():
    d = desired(version="1.33", role_arn=ROLE, subnet_ids=["subnet-a", "subnet-b"], tags={"env": "study"})
    (create,) = c.plan(None, d, OFFERED)
    assert (create["resource"], create["action"], create["call"]) == ("cluster myeks", "create", "create_cluster")
    assert create["why"] == "no cluster myeks (Kubernetes 1.33)"
    assert create["params"] == c.create_params(d)
    assert c.report(create) == {"type": "CreateCluster", "params": c.create_params(d)}
    predicted = c.predict(None, [create])
    assert predicted == c.predict_created(d)
    assert predicted["status"] == "CREATING" and predicted["version"] == "1.33"
    with pytest.raises(EksError, match="EKS does not offer 1.34"):
        c.plan(None, desired(version="1.34", role_arn=ROLE, subnet_ids=["subnet-a"]), OFFERED)
    with pytest.raises(EksError, match="Creating cluster myeks needs role_arn and subnet_ids"):
        c.plan(None, desired(), OFFERED)


def test_plan_delete_nodegroups_then_profiles_then_the_cluster():
    changes = c.plan_delete(CLUSTER, ["ng-1", "ng-2"], ["fp-1"])
    assert [(ch["resource"], ch["action"], ch["call"], ch["params"]) for ch in changes] == [
        ("nodegroup ng-1 of cluster myeks", "delete", "delete_nodegroup", {"cluster_name": "myeks", "name": "ng-1"}),
        ("nodegroup ng-2 of cluster myeks", "delete", "delete_nodegroup", {"cluster_name": "myeks", "name": "ng-2"}),
        ("Fargate profile fp-1 of cluster myeks", "delete", "delete_fargate_profile",
         {"cluster_name": "myeks", "name": "fp-1"}),
        ("cluster myeks", "delete", "delete_cluster", {"name": "myeks"}),
    ]  # fmt: skip
    assert c.deleted(changes) == [
        {"type": "DeleteNodegroup", "params": {"nodegroups": ["ng-1", "ng-2"]}},
        {"type": "DeleteFargateProfile", "params": {"fargate_profiles": ["fp-1"]}},
        {"type": "DeleteCluster", "params": {"name": "myeks"}},
    ]
    assert c.predict(CLUSTER, changes) is None
    assert c.deleted(c.plan_delete(CLUSTER, [], [])) == [{"type": "DeleteCluster", "params": {"name": "myeks"}}]


def test_every_call_is_an_api_wrapper_taking_the_record_params():
    import inspect

    from ansible_collections.aews.eks.plugins.module_utils._eks import api

    everything = desired(
        version="1.33",
        endpoint_private_access=True,
        security_group_ids=["sg-2"],
        logging=["all"],
        access_config={"authentication_mode": "API"},
        upgrade_policy={"support_type": "STANDARD"},
        encryption=KEY,
        tags={"env": "prod"},
    )
    changes = c.plan(CLUSTER, everything, OFFERED, {"security_group_ids": {"vpc-1"}})
    changes += c.plan(None, desired(role_arn=ROLE, subnet_ids=["subnet-a", "subnet-b"]), OFFERED)
    changes += c.plan_delete(CLUSTER, ["ng-1"], ["fp-1"])
    assert len({ch["call"] for ch in changes}) == 9
    for ch in changes:
        inspect.signature(getattr(api, ch["call"])).bind(object(), **ch["params"])


class FakeEks:
    """An EKS client that records the calls made and answers each update as started."""

    def __init__(self):
        self.calls = []

    def tag_resource(self, **kwargs):
        self.calls.append(("tag_resource", kwargs))

    def untag_resource(self, **kwargs):
        self.calls.append(("untag_resource", kwargs))

    def update_cluster_config(self, **kwargs):
        self.calls.append(("update_cluster_config", kwargs))
        return {"update": {"id": "u-1", "type": "LoggingUpdate", "status": "InProgress"}}


def test_apply_makes_the_records_in_order_and_reports_the_update_started():
    eks = FakeEks()
    changes = c.plan(CLUSTER, desired(logging=["api"], tags={"env": "prod"}), OFFERED)
    updates = c.apply(eks, changes, deadline=None, do_wait=False)
    assert eks.calls == [
        ("untag_resource", {"resourceArn": CLUSTER["arn"], "tagKeys": ["Owner"]}),
        ("tag_resource", {"resourceArn": CLUSTER["arn"], "tags": {"env": "prod"}}),
        ("update_cluster_config", {"name": "myeks", "logging": c.logging_config({"api"})}),
    ]
    # The last update is not waited for with wait=false: it is reported as started, with its id.
    assert updates == [
        {"type": "UntagResource", "params": {"keys": ["Owner"]}},
        {"type": "TagResource", "params": {"tags": {"env": "prod"}}},
        {
            "type": "LoggingUpdate",
            "params": {"logging": c.logging_config({"api"})},
            "id": "u-1",
            "status": "InProgress",
        },
    ]


def test_outcome_of_a_planned_update_and_of_a_delete():
    changes = c.plan(CLUSTER, desired(version="1.32"), OFFERED)
    predicted = c.predict(CLUSTER, changes)
    out = c.outcome(FakeModule(diff=True), c.shape(predicted, c.changes_to_updates(changes)), changes, CLUSTER,
                    predicted)  # fmt: skip
    assert out["changed"] is True
    assert out["changes"] == [
        {
            "resource": "cluster myeks",
            "action": "upgrade",
            "why": "version 1.31 -> 1.32",
            "call": "update_cluster_version",
            "params": {"name": "myeks", "version": "1.32"},
        }
    ]
    assert out["cluster"]["version"] == "1.32"
    assert out["cluster"]["updates"] == [{"type": "VersionUpdate", "params": {"version": "1.32"}}]
    assert (out["diff"]["before"]["version"], out["diff"]["after"]["version"]) == ("1.31", "1.32")

    gone = c.plan_delete(CLUSTER, [], [])
    out = c.outcome(FakeModule(diff=True), {}, gone, CLUSTER, None, deleted=c.deleted(gone))
    assert out["changed"] is True and out["cluster"] == {}
    assert out["deleted"] == [{"type": "DeleteCluster", "params": {"name": "myeks"}}]
    assert out["diff"] == {"before": c.diff_view(CLUSTER), "after": {}}

    same = c.outcome(FakeModule(), c.shape(CLUSTER, []), [], CLUSTER, CLUSTER)
    assert same["changed"] is False and same["changes"] == [] and "diff" not in same


def test_pending_subnets_and_groups_are_not_looked_up_and_are_in_a_vpc_to_be_made(monkeypatch):
    # Check mode: the vpc role gives subnets and groups still to be made as pending values.
    looked_up = []
    monkeypatch.setattr(c, "client", lambda module, service: service)
    monkeypatch.setattr(c.api, "describe_subnets", lambda ec2, ids: looked_up.append(ids) or [
        {"SubnetId": i, "VpcId": "vpc-0aaa"} for i in ids])  # fmt: skip
    monkeypatch.setattr(c.api, "describe_security_groups", lambda ec2, ids: looked_up.append(ids) or [])
    cluster = {"resourcesVpcConfig": {"vpcId": "vpc-0aaa", "subnetIds": ["subnet-0a"], "securityGroupIds": ["sg-0a"]}}
    desired = {"subnetIds": ["subnet-0a", "pending:subnet"], "securityGroupIds": ["pending:security-group/x"]}
    found = c._vpc_ids(None, cluster, desired)
    assert looked_up == [["subnet-0a"]]
    assert found == {"subnet_ids": {"vpc-0aaa", "pending:vpc"}, "security_group_ids": {"pending:vpc"}}
    assert c.immutable_differences(cluster, desired, found) == [
        "VPC (security_group_ids are in pending:vpc, the cluster is in vpc-0aaa)",
        "VPC (subnet_ids are in pending:vpc, the cluster is in vpc-0aaa)",
    ]
    # Real ids only: looked up as before.
    assert c._vpc_ids(None, cluster, {"subnetIds": ["subnet-0b"]}) == {"subnet_ids": {"vpc-0aaa"}}
    assert looked_up[-1] == ["subnet-0b"]
