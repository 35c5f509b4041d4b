# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An eksctl ClusterConfig (eksctl.io/v1alpha5) as the collection's cluster definition (pure).

Three steps: check the document against eksctl's strict schema (every unknown key, every value of the wrong
type, every section the collection does not support yet, each by its path), check the values the way
eksctl's validation does, then convert with eksctl's defaults applied. Every problem found is reported at
once in one ``EksctlConfigError``.

The schema follows eksctl's pkg/apis/eksctl.io/v1alpha5/assets/schema.json.
"""

from __future__ import annotations

import copy
import ipaddress
import json
import re

from ansible_collections.aews.eks.plugins.module_utils._eks.definition_paths import REF
from ansible_collections.aews.eks.plugins.module_utils._eks.definition_paths import message_text
from ansible_collections.aews.eks.plugins.module_utils._eks.definition_paths import source_path
from ansible_collections.aews.eks.plugins.module_utils._eks import vocabulary

try:
    import yaml
except ImportError:  # pragma: no cover - PyYAML ships with ansible-core
    yaml = None

API_VERSION = "eksctl.io/v1alpha5"
KIND = "ClusterConfig"


class EksctlConfigError(ValueError):
    """The ClusterConfig cannot be converted; ``problems`` lists each one as (path, what is wrong)."""

    def __init__(self, problems):
        self.problems = list(problems)
        lines = [f"{path}: {what}" if path else what for path, what in self.problems]
        super().__init__("the eksctl ClusterConfig cannot be converted:\n  " + "\n  ".join(lines))

    @property
    def paths(self):
        return [path for path, _what in self.problems]


# ---------------------------------------------------------------- the schema
# A property type is one of the scalar names below, the name of a definition, ("list", type) or ("map", type).
STR, BOOL, INT, NUM = "str", "bool", "int", "num"
STRS = ("list", STR)
STRMAP = ("map", STR)
DOC = "doc"  # any JSON/YAML document (policies, settings)
TAINTS = "taints"  # a list of {key, value, effect} or a map key -> "value:effect"

UNSUPPORTED = "not supported by aews.eks yet"


class Prop:
    """A property of a definition; ``neutral`` is set for supported-by-eksctl-only properties: the values
    (besides unset and empty) that mean eksctl's default, and so ask nothing of the collection."""

    __slots__ = ("type", "neutral")

    def __init__(self, type_, neutral=None):
        self.type = type_
        self.neutral = neutral


def _props(**kwargs):
    return {key: value if isinstance(value, Prop) else Prop(value) for key, value in kwargs.items()}


def U(type_, *neutral):
    """A property the collection does not support: only unset, empty or ``neutral`` values pass."""
    return Prop(type_, tuple(neutral))


SCHEMA = {
    "ClusterConfig": _props(
        apiVersion=STR,
        kind=STR,
        metadata="ClusterMeta",
        upgradePolicy="UpgradePolicy",
        kubernetesNetworkConfig="KubernetesNetworkConfig",
        autoModeConfig="AutoModeConfig",
        remoteNetworkConfig=U("RemoteNetworkConfig"),
        iam="ClusterIAM",
        iamIdentityMappings=U(("list", "IAMIdentityMapping")),
        identityProviders=U(("list", "IdentityProvider")),
        accessConfig="AccessConfig",
        vpc="ClusterVPC",
        addons=("list", "Addon"),
        addonsConfig="AddonsConfig",
        privateCluster="PrivateCluster",
        nodeGroups=U(("list", "NodeGroup")),
        managedNodeGroups=("list", "ManagedNodeGroup"),
        fargateProfiles=("list", "FargateProfile"),
        availabilityZones=STRS,
        localZones=U(STRS),
        cloudWatch="ClusterCloudWatch",
        secretsEncryption="SecretsEncryption",
        gitops=U("GitOps"),
        karpenter=U("Karpenter"),
        outpost=U("Outpost"),
        controlPlaneScalingConfig=U("ControlPlaneScalingConfig"),
        zonalShiftConfig="ZonalShiftConfig",
        capabilities=U(("list", "Capability")),
    ),
    "ClusterMeta": _props(
        name=STR,
        region=STR,
        version=STR,
        forceUpdateVersion=U(BOOL, False),
        rollbackConfig=U("RollbackConfig"),
        tags=STRMAP,
        # "arbitrary metadata ignored by eksctl"
        annotations=STRMAP,
    ),
    "RollbackConfig": _props(timeoutMinutes=INT),
    "UpgradePolicy": _props(supportType=U(STR, "EXTENDED")),
    "KubernetesNetworkConfig": _props(ipFamily=STR, serviceIPv4CIDR=STR, serviceIPv6CIDR=U(STR)),
    "AutoModeConfig": _props(
        enabled=U(BOOL, False), nodeRoleARN=U(STR), permissionsBoundaryARN=U(STR), nodePools=U(STRS)
    ),
    "RemoteNetworkConfig": _props(
        iam="RemoteNodesIAM",
        vpcGatewayID=STR,
        remoteNodeNetworks=("list", "RemoteNetwork"),
        remotePodNetworks=("list", "RemoteNetwork"),
    ),
    "RemoteNodesIAM": _props(provider=STR, roleARN=STR, caBundleCert=STR),
    "RemoteNetwork": _props(cidrs=STRS),
    "ClusterIAM": _props(
        serviceRoleARN=U(STR),
        serviceRolePermissionsBoundary=STR,
        fargatePodExecutionRoleARN=STR,
        fargatePodExecutionRolePermissionsBoundary=STR,
        withOIDC=BOOL,
        serviceAccounts=("list", "ClusterIAMServiceAccount"),
        podIdentityAssociations=("list", "PodIdentityAssociation"),
        vpcResourceControllerPolicy=BOOL,
    ),
    "ClusterIAMServiceAccount": _props(
        metadata="ClusterIAMMeta",
        attachPolicyARNs=STRS,
        wellKnownPolicies="WellKnownPolicies",
        attachPolicy=DOC,
        attachRoleARN=U(STR),
        permissionsBoundary=U(STR),
        status=U("ClusterIAMServiceAccountStatus"),
        roleName=STR,
        roleOnly=BOOL,
        tags=U(STRMAP),
        subjectPattern=U(STR),
    ),
    "ClusterIAMMeta": _props(name=STR, namespace=STR, labels=U(STRMAP), annotations=U(STRMAP)),
    "ClusterIAMServiceAccountStatus": _props(roleARN=STR, stackName=STR, tags=STRMAP, capabilities=STRS),
    "WellKnownPolicies": _props(
        imageBuilder=U(BOOL, False),
        autoScaler=BOOL,
        awsLoadBalancerController=BOOL,
        externalDNS=BOOL,
        certManager=BOOL,
        ebsCSIController=BOOL,
        efsCSIController=BOOL,
    ),
    "PodIdentityAssociation": _props(
        namespace=STR,
        serviceAccountName=STR,
        roleARN=U(STR),
        createServiceAccount=U(BOOL, False),
        roleName=STR,
        permissionsBoundaryARN=STR,
        permissionPolicyARNs=STRS,
        permissionPolicyName=U(STR),
        permissionPolicy=DOC,
        wellKnownPolicies="WellKnownPolicies",
        tags=STRMAP,
        targetRoleARN=U(STR),
        disableSessionTags=U(BOOL, False),
        policy=U(STR),
    ),
    "IAMIdentityMapping": _props(
        arn=STR, username=STR, groups=STRS, account=STR, serviceName=STR, namespace=STR, noDuplicateARNs=BOOL
    ),
    "IdentityProvider": _props(
        type=STR,
        name=STR,
        issuerURL=STR,
        clientID=STR,
        usernameClaim=STR,
        usernamePrefix=STR,
        groupsClaim=STR,
        groupsPrefix=STR,
        requiredClaims=STRMAP,
        tags=STRMAP,
    ),
    "AccessConfig": _props(
        authenticationMode=STR,
        bootstrapClusterCreatorAdminPermissions=BOOL,
        accessEntries=("list", "AccessEntry"),
    ),
    "AccessEntry": _props(
        principalARN=STR,
        type=STR,
        kubernetesGroups=STRS,
        kubernetesUsername=STR,
        accessPolicies=("list", "AccessPolicy"),
    ),
    "AccessPolicy": _props(policyARN=STR, accessScope="AccessScope"),
    "AccessScope": _props(type=STR, namespaces=STRS),
    "ClusterVPC": _props(
        id=STR,
        cidr=STR,
        ipv6Cidr=U(STR),
        ipv6Pool=U(STR),
        securityGroup=U(STR),
        subnets="ClusterSubnets",
        hostnameType=U(STR),
        extraCIDRs=U(STRS),
        extraIPv6CIDRs=U(STRS),
        sharedNodeSecurityGroup=U(STR),
        manageSharedNodeSecurityGroupRules=U(BOOL, True),
        autoAllocateIPv6=U(BOOL, False),
        nat="ClusterNAT",
        clusterEndpoints="ClusterEndpoints",
        publicAccessCIDRs=STRS,
        controlPlaneSubnetIDs=U(STRS),
        controlPlaneOnPrivateSubnets=U(BOOL, False),
        controlPlaneSecurityGroupIDs=U(STRS),
        controlPlaneEgressMode=U(STR, "AWS_MANAGED"),
    ),
    "ClusterNAT": _props(gateway=STR),
    "ClusterEndpoints": _props(privateAccess=BOOL, publicAccess=BOOL),
    "ClusterSubnets": _props(private=("map", "AZSubnetSpec"), public=("map", "AZSubnetSpec")),
    "AZSubnetSpec": _props(id=STR, az=STR, cidr=STR),
    "Addon": _props(
        name=STR,
        version=STR,
        serviceAccountRoleARN=U(STR),
        attachPolicyARNs=STRS,
        attachPolicy=U(DOC),
        permissionsBoundary=U(STR),
        wellKnownPolicies="WellKnownPolicies",
        tags=U(STRMAP),
        resolveConflicts=STR,
        podIdentityAssociations=("list", "AddonPodIdentityAssociation"),
        useDefaultPodIdentityAssociations=U(BOOL, False),
        configurationValues=STR,
        namespaceConfig=U("AddonNamespaceConfig"),
        publishers=U(STRS),
        types=U(STRS),
        owners=U(STRS),
    ),
    "AddonNamespaceConfig": _props(namespace=STR),
    "AddonsConfig": _props(autoApplyPodIdentityAssociations=U(BOOL, False), disableDefaultAddons=BOOL),
    "PrivateCluster": _props(
        enabled=U(BOOL, False), skipEndpointCreation=U(BOOL, False), additionalEndpointServices=U(STRS)
    ),
    "ClusterCloudWatch": _props(clusterLogging="ClusterCloudWatchLogging"),
    "ClusterCloudWatchLogging": _props(enableTypes=STRS, logRetentionInDays=INT),
    "SecretsEncryption": _props(keyARN=STR),
    "GitOps": _props(flux="Flux"),
    "Flux": _props(gitProvider=STR, flags=STRMAP),
    "Karpenter": _props(
        version=STR, createServiceAccount=BOOL, defaultInstanceProfile=STR, withSpotInterruptionQueue=BOOL
    ),
    "Outpost": _props(
        controlPlaneOutpostARN=STR,
        controlPlaneInstanceType=STR,
        controlPlanePlacement="Placement",
        etcdInstanceType=STR,
        etcdPlacement="Placement",
    ),
    "Placement": _props(groupName=STR, spreadLevel=STR),
    "ControlPlaneScalingConfig": _props(tier=STR),
    "ZonalShiftConfig": _props(enabled=U(BOOL, False)),
    "Capability": _props(
        name=STR,
        type=STR,
        roleArn=STR,
        deletePropagationPolicy=STR,
        configuration=DOC,
        tags=STRMAP,
        accessPolicies=("list", "AccessPolicy"),
        attachPolicyARNs=STRS,
        attachPolicy=DOC,
        permissionsBoundary=STR,
    ),
    "FargateProfile": _props(
        name=STR,
        podExecutionRoleARN=STR,
        selectors=("list", "FargateProfileSelector"),
        subnets=STRS,
        tags=STRMAP,
        status=U(STR),
    ),
    "FargateProfileSelector": _props(namespace=STR, labels=STRMAP),
    "NodeGroupSSH": _props(
        allow=BOOL,
        publicKeyPath=STR,
        publicKey=U(STR),
        publicKeyName=U(STR),
        sourceSecurityGroupIds=STRS,
        enableSsm=U(BOOL, False),
    ),
    "NodeGroupIAM": _props(
        attachPolicy=U(DOC),
        attachPolicyARNs=U(STRS),
        instanceProfileARN=U(STR),
        instanceRoleARN=U(STR),
        instanceRoleName=U(STR),
        instanceRolePermissionsBoundary=U(STR),
        withAddonPolicies="NodeGroupIAMAddonPolicies",
    ),
    "NodeGroupIAMAddonPolicies": _props(
        imageBuilder=BOOL,
        autoScaler=BOOL,
        externalDNS=BOOL,
        certManager=BOOL,
        appMesh=BOOL,
        appMeshPreview=U(BOOL, False),
        ebs=BOOL,
        fsx=BOOL,
        efs=BOOL,
        awsLoadBalancerController=BOOL,
        albIngress=BOOL,
        xRay=BOOL,
        cloudWatch=BOOL,
    ),
    # withShared / withLocal are not supported by eksctl for managed nodegroups either: only unset passes.
    "NodeGroupSGs": _props(attachIDs=U(STRS), withShared=U(BOOL), withLocal=U(BOOL)),
    "InstanceSelector": _props(
        vCPUs=U(INT),
        memory=U(STR),
        gpus=U(INT),
        neuron_devices=U(INT),
        cpuArchitecture=U(STR),
        allow=U(STR),
        deny=U(STR),
    ),
    "NodeGroupBottlerocket": _props(enableAdminContainer=BOOL, settings=DOC),
    "CapacityReservation": _props(
        capacityReservationPreference=STR, capacityReservationTarget="CapacityReservationTarget"
    ),
    "CapacityReservationTarget": _props(capacityReservationID=STR, capacityReservationResourceGroupARN=STR),
    "InstanceMarketOptions": _props(marketType=STR),
    "LaunchTemplate": _props(id=STR, version=STR),
    "NodeGroupUpdateConfig": _props(maxUnavailable=INT, maxUnavailablePercentage=INT),
    "NodeGroupNodeRepairConfig": _props(
        enabled=BOOL,
        maxUnhealthyNodeThresholdPercentage=INT,
        maxUnhealthyNodeThresholdCount=INT,
        maxParallelNodesRepairedPercentage=INT,
        maxParallelNodesRepairedCount=INT,
        nodeRepairConfigOverrides=("list", "NodeRepairConfigOverride"),
    ),
    "NodeRepairConfigOverride": _props(
        nodeMonitoringCondition=STR, nodeUnhealthyReason=STR, minRepairWaitTimeMins=INT, repairAction=STR
    ),
    "VolumeMapping": _props(
        volumeSize=INT,
        volumeType=STR,
        volumeName=STR,
        volumeEncrypted=BOOL,
        volumeKmsKeyID=STR,
        volumeIOPS=INT,
        volumeThroughput=INT,
        snapshotID=STR,
    ),
    "MetricsCollection": _props(granularity=STR, metrics=STRS),
    "NodeGroupInstancesDistribution": _props(
        instanceTypes=STRS,
        maxPrice=NUM,
        onDemandBaseCapacity=INT,
        onDemandPercentageAboveBaseCapacity=INT,
        spotInstancePools=INT,
        spotAllocationStrategy=STR,
        capacityRebalance=BOOL,
    ),
}

# An add-on's association: the add-on's namespace, and a role given or made for it.
SCHEMA["AddonPodIdentityAssociation"] = dict(SCHEMA["PodIdentityAssociation"], **_props(namespace=U(STR), roleARN=STR))

# The properties managed and self-managed nodegroups share (eksctl's NodeGroupBase).
_NODEGROUP_BASE = _props(
    name=STR,
    amiFamily=STR,
    instanceType=STR,
    availabilityZones=U(STRS),
    subnets=U(STRS),
    instancePrefix=U(STR),
    instanceName=U(STR),
    desiredCapacity=INT,
    minSize=INT,
    maxSize=INT,
    volumeSize=INT,
    ssh="NodeGroupSSH",
    labels=STRMAP,
    privateNetworking=BOOL,
    tags=STRMAP,
    iam="NodeGroupIAM",
    ami=U(STR),
    securityGroups="NodeGroupSGs",
    maxPodsPerNode=INT,
    asgSuspendProcesses=U(STRS),
    ebsOptimized=U(BOOL, False),
    volumeType=STR,
    volumeName=U(STR),
    volumeEncrypted=BOOL,
    volumeKmsKeyID=STR,
    volumeIOPS=INT,
    volumeThroughput=INT,
    additionalVolumes=U(("list", "VolumeMapping")),
    preBootstrapCommands=U(STRS),
    overrideBootstrapCommand=U(STR),
    propagateASGTags=U(BOOL, False),
    disableIMDSv1=BOOL,
    disablePodIMDS=BOOL,
    placement=U("Placement"),
    efaEnabled=U(BOOL, False),
    instanceSelector="InstanceSelector",
    bottlerocket=U("NodeGroupBottlerocket"),
    enableDetailedMonitoring=U(BOOL, False),
    capacityReservation=U("CapacityReservation"),
    instanceMarketOptions=U("InstanceMarketOptions"),
    outpostARN=U(STR),
    taints=TAINTS,
    updateConfig="NodeGroupUpdateConfig",
)
SCHEMA["ManagedNodeGroup"] = dict(
    _NODEGROUP_BASE,
    **_props(
        instanceTypes=STRS,
        spot=BOOL,
        launchTemplate=U("LaunchTemplate"),
        releaseVersion=STR,
        nodeRepairConfig=U("NodeGroupNodeRepairConfig"),
    ),
)
SCHEMA["NodeGroup"] = dict(
    _NODEGROUP_BASE,
    **_props(
        instancesDistribution="NodeGroupInstancesDistribution",
        asgMetricsCollection=("list", "MetricsCollection"),
        cpuCredits=STR,
        classicLoadBalancerNames=STRS,
        targetGroupARNs=STRS,
        clusterDNS=STR,
        kubeletExtraConfig=DOC,
        containerRuntime=STR,
        maxInstanceLifetime=INT,
        localZones=STRS,
        enclaveEnabled=BOOL,
    ),
)


def _is_empty(value):
    return value is None or value == "" or value == [] or value == {}


def _neutral(value, prop):
    """Whether a value of an unsupported property asks nothing of the collection."""
    if _is_empty(value) or value in prop.neutral:
        return True
    # A section whose every key is itself unset or neutral (privateCluster: {enabled: false}) is neutral too.
    if isinstance(value, dict) and isinstance(prop.type, str) and prop.type in SCHEMA:
        props = SCHEMA[prop.type]
        return all(
            key in props and _neutral(item, U(props[key].type, *(props[key].neutral or ())))
            for key, item in value.items()
        )
    return False


def _join(path, key):
    return f"{path}.{key}" if path else str(key)


def _kind(value):
    """The YAML name of a value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _check(value, type_, path, problems, inside_unsupported=False):
    """Append (path, problem) for every unknown key, wrong type and unsupported value under ``value``.

    Returns the value with what is wrong taken out (a wrongly typed value and an unknown key become unset, a
    list keeps its length with ``None`` in place of a wrong or null entry), so that the value checks and the
    conversion can go on over the rest of the document and report its problems in the same run.
    """
    if value is None:
        return None
    if type_ == STR:
        if not isinstance(value, str):
            hint = " (quote it)" if isinstance(value, (int, float)) and not isinstance(value, bool) else ""
            problems.append((path, f"must be a string, not {value!r}{hint}"))
            return None
    elif type_ == BOOL:
        if not isinstance(value, bool):
            problems.append((path, f"must be a boolean, not {value!r}"))
            return None
    elif type_ == INT:
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append((path, f"must be an integer, not {value!r}"))
            return None
    elif type_ == NUM:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append((path, f"must be a number, not {value!r}"))
            return None
    elif type_ == DOC:
        if not isinstance(value, dict):
            problems.append((path, f"must be a mapping, not {_kind(value)}"))
            return None
    elif type_ == TAINTS:
        if isinstance(value, dict):
            return _check_map(value, STR, path, problems, inside_unsupported)
        if isinstance(value, list):
            return _check_list(value, "NodeGroupTaint", path, problems, inside_unsupported)
        problems.append(
            (path, f"must be a list of {{key, value, effect}} or a mapping key -> 'value:effect', not {_kind(value)}")
        )
        return None
    elif isinstance(type_, tuple):
        kind, item_type = type_
        if kind == "list":
            if not isinstance(value, list):
                problems.append((path, f"must be a list, not {_kind(value)}"))
                return None
            return _check_list(value, item_type, path, problems, inside_unsupported)
        if not isinstance(value, dict):
            problems.append((path, f"must be a mapping, not {_kind(value)}"))
            return None
        return _check_map(value, item_type, path, problems, inside_unsupported)
    else:
        props = SCHEMA[type_]
        if not isinstance(value, dict):
            problems.append((path, f"must be a mapping, not {_kind(value)}"))
            return None
        clean = {}
        for key, item in value.items():
            item_path = _join(path, key)
            prop = props.get(key)
            if prop is None:
                problems.append((item_path, "unknown field (eksctl's v1alpha5 schema has no such key)"))
                continue
            unsupported_here = False
            if prop.neutral is not None and not inside_unsupported and not _neutral(item, prop):
                problems.append((item_path, UNSUPPORTED))
                unsupported_here = True
            item = _check(item, prop.type, item_path, problems, inside_unsupported or unsupported_here)
            if not unsupported_here:
                clean[key] = item
        return clean
    return value


def _check_map(value, item_type, path, problems, inside_unsupported):
    """A mapping's values checked; a wrongly typed one is left out (a null one stays: it means unset)."""
    clean = {}
    for key, item in value.items():
        checked = _check(item, item_type, _join(path, key), problems, inside_unsupported)
        if checked is not None or item is None:
            clean[key] = checked
    return clean


def _check_list(value, item_type, path, problems, inside_unsupported):
    """A list's entries checked; a null entry is an error (eksctl has no use for it) and stays ``None``."""
    clean = []
    for index, item in enumerate(value):
        item_path = f"{path}[{index}]"
        if item is None:
            what = "a string" if item_type == STR else "an entry"
            problems.append((item_path, f"is null: give {what} or remove the line"))
        clean.append(_check(item, item_type, item_path, problems, inside_unsupported))
    return clean


def _entries(value):
    """The entries of a checked list, without the null ones (each already reported)."""
    return [item for item in value or [] if item is not None]


def _indexed(value):
    """(index, entry) of a checked list's entries that are mappings, with the index eksctl's path has."""
    return [(index, item) for index, item in enumerate(value or []) if isinstance(item, dict)]


SCHEMA["NodeGroupTaint"] = _props(key=STR, value=STR, effect=STR)


# ---------------------------------------------------------------- eksctl's validation and defaults
AZ_PATTERN = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+[a-z]$")
# A local zone's name: its parent region, the metro and a number (us-west-2-lax-1a).
LOCAL_ZONE_PATTERN = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+(-[a-z]+)+-\d+[a-z]$")
VERSION_PATTERN = re.compile(r"^1\.\d{1,2}$")
LOG_TYPES = vocabulary.LOG_TYPES
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653)
NAT = vocabulary.EKSCTL_NAT_MODES
AUTHENTICATION_MODES = ("CONFIG_MAP", "API", "API_AND_CONFIG_MAP")
RESOLVE_CONFLICTS = ("none", "overwrite", "preserve")
VOLUME_TYPES = ("gp2", "gp3", "io1", "io2", "sc1", "st1")
TAINT_EFFECTS = vocabulary.KUBERNETES_TAINT_EFFECTS
DEFAULT_ADDONS = vocabulary.DEFAULT_ADDONS
# AMI families the cluster definition names as they are; Windows families become EKS AMI types.
AMI_FAMILIES = ("AmazonLinux2023", "AmazonLinux2", "Bottlerocket")
WINDOWS_AMI_TYPES = {
    "WindowsServer2019CoreContainer": "WINDOWS_CORE_2019_x86_64",
    "WindowsServer2019FullContainer": "WINDOWS_FULL_2019_x86_64",
    "WindowsServer2022CoreContainer": "WINDOWS_CORE_2022_x86_64",
    "WindowsServer2022FullContainer": "WINDOWS_FULL_2022_x86_64",
}
OTHER_EKSCTL_AMI_FAMILIES = (
    "UbuntuPro2604",
    "Ubuntu2604",
    "UbuntuPro2404",
    "Ubuntu2404",
    "UbuntuPro2204",
    "Ubuntu2204",
    "UbuntuPro2004",
    "Ubuntu2004",
    "BottlerocketFips",
    "WindowsServer2025CoreContainer",
    "WindowsServer2025FullContainer",
)
# AmazonLinux2 AMIs are not published from this Kubernetes version on.
AL2_LAST_MINOR = vocabulary.parse_version(vocabulary.AMI_TYPE_LAST_VERSION["AL2_x86_64"])[1]
ADDON_POLICIES = {
    "imageBuilder": "image_builder",
    "autoScaler": "auto_scaler",
    "externalDNS": "external_dns",
    "certManager": "cert_manager",
    "appMesh": "app_mesh",
    "ebs": "ebs",
    "fsx": "fsx",
    "efs": "efs",
    "awsLoadBalancerController": "aws_load_balancer_controller",
    # eksctl's older name for the same policy
    "albIngress": "aws_load_balancer_controller",
    "xRay": "xray",
    "cloudWatch": "cloud_watch",
}
# eksctl's wellKnownPolicies as the well-known controller names of eks_irsa (imageBuilder has none).
WELL_KNOWN_POLICIES = {
    "autoScaler": "cluster-autoscaler",
    "awsLoadBalancerController": "aws-load-balancer-controller",
    "externalDNS": "external-dns",
    "certManager": "cert-manager",
    "ebsCSIController": "ebs-csi",
    "efsCSIController": "efs-csi",
}
# The name of the inline policy a service account's attachPolicy becomes.
ATTACH_POLICY_NAME = "attachPolicy"
PERMISSION_POLICY_NAME = "permissionPolicy"

DEFAULT_VPC_CIDR = vocabulary.DEFAULT_VPC_CIDR
DEFAULT_INSTANCE_TYPE = vocabulary.DEFAULT_INSTANCE_TYPE
DEFAULT_AMI_FAMILY = vocabulary.DEFAULT_AMI_FAMILY
DEFAULT_NODE_COUNT = vocabulary.DEFAULT_NODE_COUNT
DEFAULT_VOLUME = {"size": vocabulary.DEFAULT_VOLUME_SIZE, "type": vocabulary.DEFAULT_VOLUME_TYPE}
GP3_IOPS = (3000, 16000)
GP3_THROUGHPUT = (125, 1000)
IO1_DEFAULT_IOPS = 100
DEFAULT_SSH_PUBLIC_KEY_PATH = "~/.ssh/id_rsa.pub"


def load(config):
    """The ClusterConfig as a dict, from a dict or from YAML/JSON text."""
    if isinstance(config, bytes):
        config = config.decode("utf-8")
    if isinstance(config, str):
        if yaml is None:  # pragma: no cover
            raise EksctlConfigError([("", "PyYAML is needed to read the ClusterConfig text")])
        try:
            config = yaml.safe_load(config)
        except yaml.YAMLError as e:
            raise EksctlConfigError([("", f"the ClusterConfig is not valid YAML: {e}")]) from e
        except RecursionError:
            raise EksctlConfigError([("", "the ClusterConfig is nested too deeply to read")]) from None
    if not isinstance(config, dict):
        raise EksctlConfigError([("", f"the ClusterConfig must be a mapping, not {type(config).__name__}")])
    try:
        return _plain(config)
    except RecursionError:
        raise EksctlConfigError([("", "the ClusterConfig is nested too deeply to read")]) from None


def _plain(value):
    """Plain dicts, lists and scalars (templating engines hand over their own subclasses)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


def _minor(version):
    return int(version.split(".")[1]) if isinstance(version, str) and VERSION_PATTERN.match(version) else None


def _validate(cfg, problems, eks_versions=None):
    """eksctl's checks of the values, once the schema has passed."""
    if cfg.get("apiVersion") != API_VERSION:
        problems.append(("apiVersion", f"must be {API_VERSION}, not {cfg.get('apiVersion')!r}"))
    if cfg.get("kind") != KIND:
        problems.append(("kind", f"must be {KIND}, not {cfg.get('kind')!r}"))
    meta = cfg.get("metadata") or {}
    if not cfg.get("metadata"):
        problems.append(("metadata", "is required"))
    else:
        for key in ("name", "region"):
            if not meta.get(key):
                problems.append((f"metadata.{key}", "is required"))
    version = meta.get("version")
    if version:
        if not VERSION_PATTERN.match(version):
            problems.append(("metadata.version", f'must be a Kubernetes minor version such as "1.33", not {version!r}'))
        elif eks_versions is not None and version not in [str(v) for v in eks_versions]:
            offered = ", ".join(str(v) for v in eks_versions)
            problems.append(
                (
                    "metadata.version",
                    f"EKS does not offer Kubernetes {version}; it offers {offered}: set metadata.version to one of them",
                )
            )

    zones = _entries(cfg.get("availabilityZones"))
    if zones and len(zones) < 2:
        problems.append(("availabilityZones", "needs at least 2 availability zones"))
    if len(set(zones)) != len(zones):
        problems.append(("availabilityZones", "lists a zone twice"))

    network = cfg.get("kubernetesNetworkConfig") or {}
    if network.get("ipFamily") and network["ipFamily"].lower() not in ("ipv4", "ipv6"):
        problems.append(("kubernetesNetworkConfig.ipFamily", f"must be IPv4 or IPv6, not {network['ipFamily']!r}"))

    vpc = cfg.get("vpc") or {}
    gateway = (vpc.get("nat") or {}).get("gateway")
    if gateway and gateway not in NAT:
        problems.append(("vpc.nat.gateway", f"must be one of {', '.join(NAT)}, not {gateway!r}"))
    endpoints = vpc.get("clusterEndpoints") or {}
    if endpoints.get("publicAccess") is False and endpoints.get("privateAccess") is not True:
        problems.append(("vpc.clusterEndpoints", "public and private access cannot both be disabled"))
    _validate_subnets(cfg, problems)

    logging = (cfg.get("cloudWatch") or {}).get("clusterLogging") or {}
    for index, log_type in enumerate(logging.get("enableTypes") or []):
        if log_type is not None and log_type not in LOG_TYPES + ("all", "*"):
            problems.append((f"cloudWatch.clusterLogging.enableTypes[{index}]", f"unknown log type {log_type!r}"))
    retention = logging.get("logRetentionInDays")
    if retention is not None and retention not in LOG_RETENTION_DAYS:
        problems.append(
            (
                "cloudWatch.clusterLogging.logRetentionInDays",
                f"must be one of {', '.join(str(d) for d in LOG_RETENTION_DAYS)}, not {retention}",
            )
        )

    mode = (cfg.get("accessConfig") or {}).get("authenticationMode")
    if mode and mode not in AUTHENTICATION_MODES:
        problems.append(
            ("accessConfig.authenticationMode", f"must be one of {', '.join(AUTHENTICATION_MODES)}, not {mode!r}")
        )
    if (cfg.get("secretsEncryption") is not None) and not (cfg["secretsEncryption"] or {}).get("keyARN"):
        problems.append(("secretsEncryption.keyARN", "is required"))

    for index, account in _indexed((cfg.get("iam") or {}).get("serviceAccounts")):
        if not (account.get("metadata") or {}).get("name"):
            problems.append((f"iam.serviceAccounts[{index}].metadata.name", "is required"))

    names = set()
    for index, addon in _indexed(cfg.get("addons")):
        path = f"addons[{index}]"
        name = addon.get("name")
        if not name:
            problems.append((f"{path}.name", "is required"))
        elif name.lower() in names:
            problems.append((f"{path}.name", f"add-on {name} is listed twice"))
        else:
            names.add(name.lower())
        resolve = addon.get("resolveConflicts")
        if resolve and resolve.lower() not in RESOLVE_CONFLICTS:
            problems.append((f"{path}.resolveConflicts", f"must be none, overwrite or preserve, not {resolve!r}"))
        values = addon.get("configurationValues")
        if values:
            try:
                parsed = _parse_document(values)
            except ValueError as e:
                problems.append((f"{path}.configurationValues", str(e)))
            else:
                if not isinstance(parsed, dict):
                    problems.append(
                        (f"{path}.configurationValues", f"must be a JSON or YAML object, not {_kind(parsed)}")
                    )
                elif "env" in parsed and not isinstance(parsed["env"], dict):
                    problems.append(
                        (
                            f"{path}.configurationValues",
                            f"env must be a mapping of variable names to values, not {_kind(parsed['env'])}",
                        )
                    )

    if mode == "CONFIG_MAP" and _indexed((cfg.get("accessConfig") or {}).get("accessEntries")):
        problems.append(
            ("accessConfig.authenticationMode", "must be API or API_AND_CONFIG_MAP to use accessConfig.accessEntries")
        )
    for index, entry in _indexed((cfg.get("accessConfig") or {}).get("accessEntries")):
        if not entry.get("principalARN"):
            problems.append((f"accessConfig.accessEntries[{index}].principalARN", "is required"))
    for index, profile in _indexed(cfg.get("fargateProfiles")):
        path = f"fargateProfiles[{index}]"
        if not profile.get("name"):
            problems.append((f"{path}.name", "is required"))
        elif profile["name"].startswith("eks-"):
            problems.append((f"{path}.name", f"{profile['name']}: a Fargate profile name must not start with eks-"))
    for index, association in _indexed((cfg.get("iam") or {}).get("podIdentityAssociations")):
        for key in ("namespace", "serviceAccountName"):
            if not association.get(key):
                problems.append((f"iam.podIdentityAssociations[{index}].{key}", "is required"))
    for index, addon in _indexed(cfg.get("addons")):
        for position, association in _indexed(addon.get("podIdentityAssociations")):
            if not association.get("serviceAccountName"):
                problems.append(
                    (f"addons[{index}].podIdentityAssociations[{position}].serviceAccountName", "is required")
                )

    names = set()
    for index, ng in _indexed(cfg.get("managedNodeGroups")):
        _validate_nodegroup(ng, f"managedNodeGroups[{index}]", names, _minor(version), problems)


def _validate_subnets(cfg, problems):
    vpc = cfg.get("vpc") or {}
    subnets = vpc.get("subnets") or {}
    with_ids = []
    with_cidrs_only = []
    for scope in ("public", "private"):
        seen = {}
        for key, spec in (subnets.get(scope) or {}).items():
            path = f"vpc.subnets.{scope}.{key}"
            spec = spec or {}
            zone = spec.get("az") or key
            if spec.get("az"):
                if LOCAL_ZONE_PATTERN.match(zone):
                    problems.append((f"{path}.az", f"{zone} is a local zone: local zones are {UNSUPPORTED}"))
                elif not AZ_PATTERN.match(zone):
                    problems.append((f"{path}.az", f"{zone!r} is not an availability zone name such as us-east-1a"))
            elif LOCAL_ZONE_PATTERN.match(key):
                problems.append((path, f"{key} is a local zone: local zones are {UNSUPPORTED}"))
            elif not AZ_PATTERN.match(key):
                problems.append(
                    (
                        path,
                        f"{key!r} is not an availability zone name: a subnet keyed by a name of your own needs az "
                        "(the availability zone it is in)",
                    )
                )
            if spec.get("cidr"):
                try:
                    ipaddress.ip_network(spec["cidr"])
                except ValueError:
                    problems.append((f"{path}.cidr", f"{spec['cidr']!r} is not a CIDR block such as 10.0.0.0/19"))
            if zone in seen:
                problems.append((path, f"a second {scope} subnet in {zone} (one per zone is supported)"))
            seen[zone] = key
            if spec.get("id"):
                with_ids.append(path)
            elif spec.get("cidr"):
                with_cidrs_only.append(path)
            else:
                problems.append((path, "needs an id or a cidr"))
    if with_ids and with_cidrs_only:
        problems.append(("vpc.subnets", "either every subnet has an id (an existing VPC) or none has"))
    if with_ids and not vpc.get("id"):
        problems.append(
            ("vpc.id", "is required with existing subnets (looking the VPC up from them is not supported yet)")
        )
    if vpc.get("id") and not with_ids:
        problems.append(("vpc.subnets", "an existing VPC (vpc.id) needs its subnets, each with its id"))


def _validate_nodegroup(ng, path, names, minor, problems):
    name = ng.get("name")
    if not name:
        problems.append((f"{path}.name", "is required"))
    elif name in names:
        problems.append((f"{path}.name", f"nodegroup {name} is listed twice"))
    else:
        names.add(name)
    if ng.get("instanceType") and ng.get("instanceTypes"):
        problems.append((path, "instanceType and instanceTypes cannot be set together"))
    family = ng.get("amiFamily")
    if family:
        if family in OTHER_EKSCTL_AMI_FAMILIES:
            problems.append((f"{path}.amiFamily", f"{family}: {UNSUPPORTED}"))
        elif family not in AMI_FAMILIES and family not in WINDOWS_AMI_TYPES:
            problems.append((f"{path}.amiFamily", f"unknown AMI family {family!r}"))
    # Managed nodegroups run the cluster's version (eksctl's schema has no nodegroup version).
    if family == "AmazonLinux2" and minor is not None and minor > AL2_LAST_MINOR:
        problems.append(
            (f"{path}.amiFamily", f"AmazonLinux2 AMIs are not offered for Kubernetes 1.{minor}; use AmazonLinux2023")
        )

    minimum, desired, maximum = ng.get("minSize"), ng.get("desiredCapacity"), ng.get("maxSize")
    for key, value in (("minSize", minimum), ("desiredCapacity", desired), ("maxSize", maximum)):
        if value is not None and value < 0:
            problems.append((f"{path}.{key}", "cannot be negative"))
    if minimum is not None and desired is not None and desired < minimum:
        problems.append(
            (f"{path}.desiredCapacity", f"{desired} is below minSize {minimum}: minSize <= desiredCapacity <= maxSize")
        )
    if maximum is not None and desired is not None and desired > maximum:
        problems.append(
            (f"{path}.desiredCapacity", f"{desired} is above maxSize {maximum}: minSize <= desiredCapacity <= maxSize")
        )
    if minimum is not None and maximum is not None and maximum < minimum:
        problems.append(
            (f"{path}.maxSize", f"{maximum} is below minSize {minimum}: minSize <= desiredCapacity <= maxSize")
        )

    volume_type = ng.get("volumeType") or DEFAULT_VOLUME["type"]
    if volume_type not in VOLUME_TYPES:
        problems.append((f"{path}.volumeType", f"must be one of {', '.join(VOLUME_TYPES)}, not {volume_type!r}"))
    if volume_type == "gp3":
        iops, throughput = ng.get("volumeIOPS"), ng.get("volumeThroughput")
        if iops is not None and not GP3_IOPS[0] <= iops <= GP3_IOPS[1]:
            problems.append((f"{path}.volumeIOPS", f"gp3 takes {GP3_IOPS[0]} to {GP3_IOPS[1]} IOPS, not {iops}"))
        if throughput is not None and not GP3_THROUGHPUT[0] <= throughput <= GP3_THROUGHPUT[1]:
            problems.append(
                (
                    f"{path}.volumeThroughput",
                    f"gp3 takes {GP3_THROUGHPUT[0]} to {GP3_THROUGHPUT[1]} MiB/s, not {throughput}",
                )
            )
    elif ng.get("volumeThroughput") is not None:
        problems.append((f"{path}.volumeThroughput", "is only for gp3 volumes"))
    if ng.get("volumeSize") is not None and ng["volumeSize"] < 1:
        problems.append((f"{path}.volumeSize", "must be at least 1 GiB"))
    if ng.get("maxPodsPerNode") is not None and ng["maxPodsPerNode"] < 1:
        problems.append((f"{path}.maxPodsPerNode", "must be at least 1"))

    update = ng.get("updateConfig")
    if update is not None:
        given = [key for key in ("maxUnavailable", "maxUnavailablePercentage") if update.get(key) is not None]
        if len(given) != 1:
            problems.append(
                (f"{path}.updateConfig", "needs exactly one of maxUnavailable and maxUnavailablePercentage")
            )
    try:
        _taints(ng.get("taints"))
    except ValueError as e:
        problems.append((f"{path}.taints", str(e)))


def _taints(value):
    """eksctl's two spellings of taints as a list of {key, value, effect}."""
    if not value:
        return []
    items = []
    if isinstance(value, dict):
        for key, spec in value.items():
            taint_value, sep, effect = (spec or "").rpartition(":")
            if not sep:
                raise ValueError(f"{key}: {spec!r} must be 'value:effect'")
            items.append({"key": key, "value": taint_value, "effect": effect})
    else:
        items = [
            {"key": t.get("key"), "value": t.get("value") or "", "effect": t.get("effect")}
            for t in value
            if isinstance(t, dict)
        ]
    for taint in items:
        if not taint["key"]:
            raise ValueError("every taint needs a key")
        if taint["effect"] not in TAINT_EFFECTS:
            raise ValueError(
                f"{taint['key']}: effect must be one of {', '.join(TAINT_EFFECTS)}, not {taint['effect']!r}"
            )
    return [{k: v for k, v in taint.items() if k != "value" or v != ""} for taint in items]


def _parse_document(text):
    """A JSON or YAML document given as text (eksctl's configurationValues)."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    except RecursionError:
        raise ValueError("is nested too deeply to read") from None
    if yaml is None:  # pragma: no cover
        raise ValueError("is not valid JSON")
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ValueError(f"is neither valid JSON nor valid YAML: {e}") from e
    except RecursionError:
        raise ValueError("is nested too deeply to read") from None


# ---------------------------------------------------------------- conversion
def convert(config, eks_versions=None, definition_check=None):
    """The cluster definition (the value of ``aews_eks_cluster``) of an eksctl ClusterConfig.

    ``config`` is a dict or YAML/JSON text. ``eks_versions``, when given, lists the Kubernetes versions
    EKS offers; a version outside it is an error. ``definition_check``, when given, is the definition's own
    check: called with a converted definition, it returns its first problem as (definition path, problem),
    the problem naming other fields with ``definition_paths.ref``, or None; it is run again with the part
    holding each problem left out, to find the next. Raises EksctlConfigError with every problem
    found, each by its ClusterConfig path: the schema's, then eksctl's value checks, then the definition's.
    """
    cfg = load(config)
    problems = []
    clean = _check(cfg, "ClusterConfig", "", problems)
    # The sections where a value was dropped: the definition's checks there would judge eksctl's defaults.
    schema_paths = [path for path, _what in problems]
    # A null list entry is only left out: nothing stands in for it, so the rest of its section is still checked.
    schema_sections = {_section(path) for path, what in problems if not what.startswith("is null")}
    values = []
    _validate(clean, values, eks_versions)
    # A value check on what the schema dropped (metadata.region: is required, after it was not a string)
    # repeats the schema's problem.
    problems.extend(
        (path, what)
        for path, what in values
        if not any(path == dropped or path.startswith((dropped + ".", dropped + "[")) for dropped in schema_paths)
    )
    result = _convert(clean)
    if definition_check is not None:
        for path, named, problem in _definition_problems(result, definition_check):
            if _section(path) in schema_sections or any(
                _related(one, reported) for one in [path] + named for reported, _what in problems
            ):
                # Already reported, or a consequence of what is: left for the run after the fix.
                continue
            problems.append((path, problem))
    if problems:
        raise EksctlConfigError(problems)
    return result


# The parts of a definition that can be left out to look for problems past the first one; a problem in any
# other part (name, region) ends the search, as every check depends on it.
_DEFINITION_LISTS = (
    "nodegroups", "addons", "iam.service_accounts", "iam.pod_identity_associations", "access.entries",
    "fargate_profiles",
)  # fmt: skip
_DEFINITION_SECTIONS = (
    "version", "tags", "vpc", "endpoint", "kubernetes_network", "iam", "logging", "secrets_encryption", "access",
    "addons_config",
)  # fmt: skip
_MAX_DEFINITION_PROBLEMS = 50


def _definition_problems(definition, definition_check):
    """Every problem the definition's check finds, as (ClusterConfig path, ClusterConfig paths named in the
    problem, problem). The check stops at its first problem: the part of the definition it is in (a nodegroup,
    an add-on, a section) is left out and the check run again, until it passes. One problem per part is
    reported, as the next one there may follow from the first."""
    definition = copy.deepcopy(definition)
    paths = definition["source"]["paths"]
    # The check sees the definition without the path map: its problems are translated here, as entries
    # are left out.
    definition["source"] = {"kind": "eksctl"}
    found = []
    for _attempt in range(_MAX_DEFINITION_PROBLEMS):
        problem = definition_check(definition)
        if not problem:
            break
        field, text = problem
        path = source_path(field, paths) if field else ""
        named = [source_path(one, paths) for one in re.findall(f"{REF}(.*?){REF}", text)]
        found.append((path, named, message_text(text, paths)))
        if not _leave_out(definition, paths, field):
            break
    return found


def _leave_out(definition, paths, field):
    """Take the part of the definition ``field`` is in out of it (and ``paths``); False when it cannot be."""
    for name in _DEFINITION_LISTS:
        match = re.match(rf"^{re.escape(name)}\[(\d+)\]", field)
        if not match:
            continue
        index = int(match.group(1))
        parent = definition
        *heads, last = name.split(".")
        for head in heads:
            parent = parent.get(head) if isinstance(parent, dict) else None
        items = parent.get(last) if isinstance(parent, dict) else None
        if not isinstance(items, list) or index >= len(items):
            return False
        del items[index]
        # The entries after it move up one place: so do their paths.
        shifted = {}
        for key, value in paths.items():
            entry = re.match(rf"^{re.escape(name)}\[(\d+)\](.*)$", key)
            if entry and int(entry.group(1)) == index:
                continue
            if entry and int(entry.group(1)) > index:
                key = f"{name}[{int(entry.group(1)) - 1}]{entry.group(2)}"
            shifted[key] = value
        paths.clear()
        paths.update(shifted)
        return True
    top = re.match(r"^[^.\[]*", field).group(0)
    if top in _DEFINITION_SECTIONS and top in definition:
        del definition[top]
        return True
    if top in ("nodegroups", "addons", "fargate_profiles") and top in definition:
        definition[top] = []
        return True
    return False


def _section(path):
    """The top-level section of a ClusterConfig path, with its list index (managedNodeGroups[0])."""
    match = re.match(r"^[^.\[ ]*(\[\d+\])?", path)
    return match.group(0)


def _related(one, other):
    """Whether one path is the other, or inside it, or contains it."""
    if not one or not other:
        return True
    for a, b in ((one, other), (other, one)):
        if a == b or a.startswith(b + ".") or a.startswith(b + "["):
            return True
    return False


def _convert(cfg):
    """The definition of a checked ClusterConfig. It never fails: what the checks reported is left out or
    defaulted, so that the definition's own checks can still run over the rest."""
    meta = cfg.get("metadata") or {}
    result = {"name": meta.get("name"), "region": meta.get("region")}
    if meta.get("version"):
        result["version"] = meta["version"]
    result["tags"] = dict(meta.get("tags") or {})
    result["vpc"] = _vpc(cfg)
    result["endpoint"] = _endpoint(cfg.get("vpc") or {})
    network = cfg.get("kubernetesNetworkConfig") or {}
    result["kubernetes_network"] = {"ip_family": (network.get("ipFamily") or "IPv4").lower()}
    if network.get("serviceIPv4CIDR"):
        result["kubernetes_network"]["service_ipv4_cidr"] = network["serviceIPv4CIDR"]
    result["iam"] = _iam(cfg.get("iam") or {})
    result["logging"] = _logging(((cfg.get("cloudWatch") or {}).get("clusterLogging")) or {})
    key_arn = (cfg.get("secretsEncryption") or {}).get("keyARN")
    if key_arn:
        result["secrets_encryption"] = {"key_arn": key_arn}
    access = _access(cfg.get("accessConfig") or {})
    if access:
        result["access"] = access
    profiles = [_fargate_profile(profile) for _index, profile in _indexed(cfg.get("fargateProfiles"))]
    if profiles:
        result["fargate_profiles"] = profiles
    result["nodegroups"] = [_nodegroup(ng, meta.get("name")) for _index, ng in _indexed(cfg.get("managedNodeGroups"))]
    addons, prefix_delegation = _addons(cfg.get("addons"), cfg.get("addonsConfig") or {})
    result["addons"] = addons
    if prefix_delegation:
        result["addons_config"] = {"prefix_delegation": True}
    result["source"] = {"kind": "eksctl", "paths": source_paths(cfg, result)}
    cidrs = _subnet_cidr_checks(cfg)
    if cidrs:
        result["source"]["subnet_cidrs"] = cidrs
    return result


def _subnet_cidr_checks(cfg):
    """The CIDR of each existing subnet (given with both id and cidr), by scope and zone: eksctl compares it
    with the subnet's own and fails when they differ; the stage that reads the subnets compares it too."""
    vpc = cfg.get("vpc") or {}
    if not vpc.get("id"):
        return {}
    result = {}
    for scope in ("public", "private"):
        for key, spec in ((vpc.get("subnets") or {}).get(scope) or {}).items():
            spec = spec or {}
            if spec.get("id") and spec.get("cidr"):
                result.setdefault(scope, {})[spec.get("az") or key] = spec["cidr"]
    return result


# Definition paths -> ClusterConfig paths, for the problems found after the conversion (longest prefix wins).
TOP_PATHS = {
    "": "",
    "name": "metadata.name",
    "region": "metadata.region",
    "version": "metadata.version",
    "tags": "metadata.tags",
    "vpc": "vpc",
    "vpc.availability_zones": "availabilityZones",
    "vpc.nat": "vpc.nat.gateway",
    "vpc.subnet_ids": "vpc.subnets",
    "endpoint": "vpc.clusterEndpoints",
    "endpoint.public_access": "vpc.clusterEndpoints.publicAccess",
    "endpoint.private_access": "vpc.clusterEndpoints.privateAccess",
    "endpoint.public_access_cidrs": "vpc.publicAccessCIDRs",
    "kubernetes_network": "kubernetesNetworkConfig",
    "kubernetes_network.ip_family": "kubernetesNetworkConfig.ipFamily",
    "kubernetes_network.service_ipv4_cidr": "kubernetesNetworkConfig.serviceIPv4CIDR",
    "iam.with_oidc": "iam.withOIDC",
    "iam.vpc_resource_controller_policy": "iam.vpcResourceControllerPolicy",
    "iam.service_accounts": "iam.serviceAccounts",
    "logging": "cloudWatch.clusterLogging",
    "logging.types": "cloudWatch.clusterLogging.enableTypes",
    "logging.retention_days": "cloudWatch.clusterLogging.logRetentionInDays",
    "secrets_encryption": "secretsEncryption",
    "secrets_encryption.key_arn": "secretsEncryption.keyARN",
    "access": "accessConfig",
    "access.authentication_mode": "accessConfig.authenticationMode",
    "access.bootstrap_cluster_creator_admin_permissions": "accessConfig.bootstrapClusterCreatorAdminPermissions",
    "access.entries": "accessConfig.accessEntries",
    "iam.pod_identity_associations": "iam.podIdentityAssociations",
    "iam.fargate_pod_execution_role_arn": "iam.fargatePodExecutionRoleARN",
    "iam.fargate_pod_execution_role_permissions_boundary": "iam.fargatePodExecutionRolePermissionsBoundary",
    "iam.service_role_permissions_boundary": "iam.serviceRolePermissionsBoundary",
    "fargate_profiles": "fargateProfiles",
    "nodegroups": "managedNodeGroups",
    "addons": "addons",
}
NODEGROUP_PATHS = {
    "name": "name",
    "ami_family": "amiFamily",
    "ami_type": "amiFamily",
    "min_size": "minSize",
    "desired_size": "desiredCapacity",
    "max_size": "maxSize",
    "volume.size": "volumeSize",
    "volume.type": "volumeType",
    "volume.iops": "volumeIOPS",
    "volume.throughput": "volumeThroughput",
    "volume.encrypted": "volumeEncrypted",
    "volume.kms_key_id": "volumeKmsKeyID",
    "labels": "labels",
    "taints": "taints",
    "tags": "tags",
    "ssh": "ssh",
    "ssh.allow": "ssh.allow",
    "ssh.public_key_path": "ssh.publicKeyPath",
    "ssh.public_key": "ssh.publicKey",
    "ssh.source_security_group_ids": "ssh.sourceSecurityGroupIds",
    "private_networking": "privateNetworking",
    "addon_policies": "iam.withAddonPolicies",
    "imds": "disablePodIMDS",
    "imds.disable_imdsv1": "disableIMDSv1",
    "imds.disable_pod_imds": "disablePodIMDS",
    "spot": "spot",
    "update_config": "updateConfig",
    "update_config.max_unavailable": "updateConfig.maxUnavailable",
    "update_config.max_unavailable_percentage": "updateConfig.maxUnavailablePercentage",
    "max_pods": "maxPodsPerNode",
    "release_version": "releaseVersion",
}
SERVICE_ACCOUNT_PATHS = {
    "name": "metadata.name",
    "namespace": "metadata.namespace",
    "managed_policy_arns": "attachPolicyARNs",
    "well_known_policies": "wellKnownPolicies",
    "inline_policies": "attachPolicy",
    "role_name": "roleName",
    "role_only": "roleOnly",
}
ACCESS_ENTRY_PATHS = {
    "principal_arn": "principalARN",
    "type": "type",
    "kubernetes_groups": "kubernetesGroups",
    "username": "kubernetesUsername",
    "access_policies": "accessPolicies",
}
ACCESS_POLICY_PATHS = {
    "policy_arn": "policyARN",
    "access_scope": "accessScope",
    "access_scope.type": "accessScope.type",
    "access_scope.namespaces": "accessScope.namespaces",
}
FARGATE_PROFILE_PATHS = {
    "name": "name",
    "pod_execution_role_arn": "podExecutionRoleARN",
    "selectors": "selectors",
    "subnets": "subnets",
    "tags": "tags",
}
POD_IDENTITY_PATHS = {
    "namespace": "namespace",
    "service_account": "serviceAccountName",
    "role_arn": "roleARN",
    "role_name": "roleName",
    "managed_policy_arns": "permissionPolicyARNs",
    "well_known_policies": "wellKnownPolicies",
    "inline_policies": "permissionPolicy",
    "permissions_boundary": "permissionsBoundaryARN",
    "tags": "tags",
}
ADDON_PATHS = {
    "name": "name",
    "version": "version",
    "configuration_values": "configurationValues",
    "resolve_conflicts": "resolveConflicts",
    "service_account_role.managed_policy_arns": "attachPolicyARNs",
    "service_account_role.well_known_policies": "wellKnownPolicies",
    "pod_identity_associations": "podIdentityAssociations",
}


def source_paths(cfg, result):
    """Where each field of the converted definition comes from in the ClusterConfig."""
    paths = {key: value for key, value in TOP_PATHS.items() if key}
    # A null entry of a list is reported and left out of the definition: entry k of the definition is the
    # k-th entry of the ClusterConfig that is a mapping.
    for position, (index, ng) in enumerate(_indexed(cfg.get("managedNodeGroups"))):
        base = f"managedNodeGroups[{index}]"
        paths[f"nodegroups[{position}]"] = base
        for key, value in NODEGROUP_PATHS.items():
            paths[f"nodegroups[{position}].{key}"] = f"{base}.{value}"
        paths[f"nodegroups[{position}].instance_types"] = (
            f"{base}.instanceTypes" if ng.get("instanceTypes") else f"{base}.instanceType"
        )
        if not ng.get("instanceTypes"):
            paths[f"nodegroups[{position}].instance_types[0]"] = f"{base}.instanceType"
    for position, (index, _account) in enumerate(_indexed((cfg.get("iam") or {}).get("serviceAccounts"))):
        base = f"iam.serviceAccounts[{index}]"
        paths[f"iam.service_accounts[{position}]"] = base
        for key, value in SERVICE_ACCOUNT_PATHS.items():
            paths[f"iam.service_accounts[{position}].{key}"] = f"{base}.{value}"
    for position, (index, _account) in enumerate(_indexed((cfg.get("iam") or {}).get("podIdentityAssociations"))):
        _sub_paths(paths, f"iam.pod_identity_associations[{position}]", f"iam.podIdentityAssociations[{index}]",
                   POD_IDENTITY_PATHS)  # fmt: skip
    for position, (index, entry) in enumerate(_indexed((cfg.get("accessConfig") or {}).get("accessEntries"))):
        base = f"accessConfig.accessEntries[{index}]"
        _sub_paths(paths, f"access.entries[{position}]", base, ACCESS_ENTRY_PATHS)
        for place, (number, _policy) in enumerate(_indexed(entry.get("accessPolicies"))):
            _sub_paths(paths, f"access.entries[{position}].access_policies[{place}]", f"{base}.accessPolicies[{number}]",
                       ACCESS_POLICY_PATHS)  # fmt: skip
    for position, (index, _profile) in enumerate(_indexed(cfg.get("fargateProfiles"))):
        _sub_paths(paths, f"fargate_profiles[{position}]", f"fargateProfiles[{index}]", FARGATE_PROFILE_PATHS)
    listed = {}
    for index, addon in _indexed(cfg.get("addons")):
        if isinstance(addon.get("name"), str):
            listed.setdefault(addon["name"].lower(), index)
    for index, addon in enumerate(result.get("addons") or []):
        name = str(addon["name"]).lower()
        if name not in listed:
            # One of eksctl's default add-ons, not written in the file.
            paths[f"addons[{index}]"] = f"addons (eksctl's default add-on {addon['name']})"
            continue
        base = f"addons[{listed[name]}]"
        paths[f"addons[{index}]"] = base
        for key, value in ADDON_PATHS.items():
            paths[f"addons[{index}].{key}"] = f"{base}.{value}"
        source = (cfg.get("addons") or [])[listed[name]]
        for position, (number, _association) in enumerate(_indexed(source.get("podIdentityAssociations"))):
            _sub_paths(paths, f"addons[{index}].pod_identity_associations[{position}]",
                       f"{base}.podIdentityAssociations[{number}]", POD_IDENTITY_PATHS)  # fmt: skip
        if name == "vpc-cni":
            paths["addons_config.prefix_delegation"] = f"{base}.configurationValues"
    for scope in ("public", "private"):
        for key, spec in (((cfg.get("vpc") or {}).get("subnets") or {}).get(scope) or {}).items():
            zone = (spec or {}).get("az") or key
            kind = "id" if (spec or {}).get("id") else "cidr"
            paths[f"vpc.subnets.{scope}.{zone}"] = f"vpc.subnets.{scope}.{key}.{kind}"
            paths[f"vpc.subnet_ids.{scope}.{zone}"] = f"vpc.subnets.{scope}.{key}.id"
    return paths


def _sub_paths(paths, head, base, keys):
    paths[head] = base
    for key, value in keys.items():
        paths[f"{head}.{key}"] = f"{base}.{value}"


def _access(access):
    result = {}
    if access.get("authenticationMode"):
        result["authentication_mode"] = access["authenticationMode"]
    if access.get("bootstrapClusterCreatorAdminPermissions") is not None:
        result["bootstrap_cluster_creator_admin_permissions"] = access["bootstrapClusterCreatorAdminPermissions"]
    entries = []
    for _index, entry in _indexed(access.get("accessEntries")):
        item = {"principal_arn": entry.get("principalARN")}
        if entry.get("type"):
            item["type"] = entry["type"]
        if _entries(entry.get("kubernetesGroups")):
            item["kubernetes_groups"] = _entries(entry["kubernetesGroups"])
        if entry.get("kubernetesUsername"):
            item["username"] = entry["kubernetesUsername"]
        policies = []
        for _number, policy in _indexed(entry.get("accessPolicies")):
            scope = policy.get("accessScope") or {}
            out = {"policy_arn": policy.get("policyARN")}
            if scope:
                out["access_scope"] = {"type": scope.get("type") or "cluster"}
                if _entries(scope.get("namespaces")):
                    out["access_scope"]["namespaces"] = _entries(scope["namespaces"])
            policies.append(out)
        if policies:
            item["access_policies"] = policies
        entries.append(item)
    if entries:
        result["entries"] = entries
    return result


def _fargate_profile(profile):
    result = {"name": profile.get("name")}
    if profile.get("podExecutionRoleARN"):
        result["pod_execution_role_arn"] = profile["podExecutionRoleARN"]
    selectors = []
    for _index, selector in _indexed(profile.get("selectors")):
        item = {"namespace": selector.get("namespace")}
        if selector.get("labels"):
            item["labels"] = dict(selector["labels"])
        selectors.append(item)
    result["selectors"] = selectors
    if _entries(profile.get("subnets")):
        result["subnets"] = _entries(profile["subnets"])
    if profile.get("tags"):
        result["tags"] = dict(profile["tags"])
    return result


def _pod_identity(association, with_namespace=True):
    result = {}
    if with_namespace:
        result["namespace"] = association.get("namespace")
    result["service_account"] = association.get("serviceAccountName")
    for key, name in (
        ("roleARN", "role_arn"),
        ("roleName", "role_name"),
        ("permissionsBoundaryARN", "permissions_boundary"),
    ):
        if association.get(key):
            result[name] = association[key]
    if _entries(association.get("permissionPolicyARNs")):
        result["managed_policy_arns"] = _entries(association["permissionPolicyARNs"])
    policies = _enabled(association.get("wellKnownPolicies"), WELL_KNOWN_POLICIES)
    if policies:
        result["well_known_policies"] = policies
    if association.get("permissionPolicy"):
        result["inline_policies"] = {PERMISSION_POLICY_NAME: copy.deepcopy(association["permissionPolicy"])}
    if association.get("tags"):
        result["tags"] = dict(association["tags"])
    return result


def _vpc(cfg):
    vpc = cfg.get("vpc") or {}
    result = {}
    if vpc.get("id"):
        result["id"] = vpc["id"]
    result["cidr"] = vpc.get("cidr") or DEFAULT_VPC_CIDR
    given_zones = _entries(cfg.get("availabilityZones"))
    zones = list(given_zones)
    subnets = vpc.get("subnets") or {}
    by_scope = {}
    for scope in ("public", "private"):
        for key, spec in (subnets.get(scope) or {}).items():
            spec = spec or {}
            zone = spec.get("az") or key
            if not AZ_PATTERN.match(zone):  # reported by _validate_subnets
                continue
            by_scope.setdefault(scope, {})[zone] = spec
            if zone not in zones and not given_zones:
                zones.append(zone)
    if zones:
        result["availability_zones"] = zones
    result["nat"] = NAT.get((vpc.get("nat") or {}).get("gateway") or "Single", "single")
    if by_scope:
        adopt = bool(vpc.get("id"))
        key = "subnet_ids" if adopt else "subnets"
        result[key] = {
            scope: {
                zone: spec.get("id" if adopt else "cidr")
                for zone, spec in specs.items()
                if spec.get("id" if adopt else "cidr")
            }
            for scope, specs in by_scope.items()
        }
    return result


def _endpoint(vpc):
    endpoints = vpc.get("clusterEndpoints") or {}
    result = {
        "public_access": endpoints.get("publicAccess") if endpoints.get("publicAccess") is not None else True,
        "private_access": bool(endpoints.get("privateAccess")),
    }
    if _entries(vpc.get("publicAccessCIDRs")):
        result["public_access_cidrs"] = _entries(vpc["publicAccessCIDRs"])
    return result


def _iam(iam):
    result = {
        "with_oidc": bool(iam.get("withOIDC")),
        "vpc_resource_controller_policy": iam.get("vpcResourceControllerPolicy") is not False,
    }
    accounts = []
    for _index, account in _indexed(iam.get("serviceAccounts")):
        meta = account.get("metadata") or {}
        item = {"namespace": meta.get("namespace") or "default", "name": meta.get("name")}
        if _entries(account.get("attachPolicyARNs")):
            item["managed_policy_arns"] = _entries(account["attachPolicyARNs"])
        policies = _enabled(account.get("wellKnownPolicies"), WELL_KNOWN_POLICIES)
        if policies:
            item["well_known_policies"] = policies
        if account.get("attachPolicy"):
            item["inline_policies"] = {ATTACH_POLICY_NAME: copy.deepcopy(account["attachPolicy"])}
        if account.get("roleName"):
            item["role_name"] = account["roleName"]
        if account.get("roleOnly"):
            item["role_only"] = True
        accounts.append(item)
    if accounts:
        result["service_accounts"] = accounts
    associations = [_pod_identity(a) for _index, a in _indexed(iam.get("podIdentityAssociations"))]
    if associations:
        result["pod_identity_associations"] = associations
    for key, name in (
        ("fargatePodExecutionRoleARN", "fargate_pod_execution_role_arn"),
        ("fargatePodExecutionRolePermissionsBoundary", "fargate_pod_execution_role_permissions_boundary"),
        ("serviceRolePermissionsBoundary", "service_role_permissions_boundary"),
    ):
        if iam.get(key):
            result[name] = iam[key]
    return result


def _enabled(flags, names):
    """The snake_case names of the flags set to true, each once, in eksctl's order."""
    result = []
    for key, name in names.items():
        if (flags or {}).get(key) and name not in result:
            result.append(name)
    return result


def _logging(logging):
    types = [t for t in _entries(logging.get("enableTypes")) if t in LOG_TYPES + ("all", "*")]
    if "*" in types or "all" in types:
        types = list(LOG_TYPES)
    result = {"types": types}
    if logging.get("logRetentionInDays") is not None:
        result["retention_days"] = logging["logRetentionInDays"]
    return result


def _nodegroup(ng, cluster_name):
    name = ng.get("name")
    result = {"name": name}
    result["instance_types"] = _entries(ng.get("instanceTypes")) or [ng.get("instanceType") or DEFAULT_INSTANCE_TYPE]
    family = ng.get("amiFamily") or DEFAULT_AMI_FAMILY
    if family in WINDOWS_AMI_TYPES:
        result["ami_type"] = WINDOWS_AMI_TYPES[family]
    else:
        result["ami_family"] = family

    minimum, desired, maximum = ng.get("minSize"), ng.get("desiredCapacity"), ng.get("maxSize")
    # eksctl's ValidateManagedNodeGroup: min from desired (else 2), max from desired (else min), desired from min.
    if minimum is None:
        minimum = desired if desired is not None else DEFAULT_NODE_COUNT
    if maximum is None:
        maximum = desired if desired is not None else minimum
        maximum = maximum or 1
    if desired is None:
        desired = minimum
    result.update(min_size=minimum, desired_size=desired, max_size=maximum)

    volume_type = ng.get("volumeType") or DEFAULT_VOLUME["type"]
    volume = {
        "size": ng["volumeSize"] if ng.get("volumeSize") is not None else DEFAULT_VOLUME["size"],
        "type": volume_type,
    }
    if volume_type == "gp3":
        volume["iops"] = ng["volumeIOPS"] if ng.get("volumeIOPS") is not None else GP3_IOPS[0]
        volume["throughput"] = ng["volumeThroughput"] if ng.get("volumeThroughput") is not None else GP3_THROUGHPUT[0]
    elif ng.get("volumeIOPS") is not None:
        volume["iops"] = ng["volumeIOPS"]
    elif volume_type == "io1":
        volume["iops"] = IO1_DEFAULT_IOPS
    if ng.get("volumeEncrypted") is not None:
        volume["encrypted"] = ng["volumeEncrypted"]
    if ng.get("volumeKmsKeyID"):
        volume["kms_key_id"] = ng["volumeKmsKeyID"]
    result["volume"] = volume

    labels = dict(ng.get("labels") or {})
    labels.update({"alpha.eksctl.io/cluster-name": cluster_name, "alpha.eksctl.io/nodegroup-name": name})
    result["labels"] = labels
    try:
        taints = _taints(ng.get("taints"))
    except ValueError:  # reported by _validate_nodegroup
        taints = []
    if taints:
        result["taints"] = taints
    tags = dict(ng.get("tags") or {})
    tags.update({"alpha.eksctl.io/nodegroup-name": name, "alpha.eksctl.io/nodegroup-type": "managed"})
    result["tags"] = tags

    result["ssh"] = _ssh(ng.get("ssh") or {})
    result["private_networking"] = bool(ng.get("privateNetworking"))
    policies = _enabled(((ng.get("iam") or {}).get("withAddonPolicies")), ADDON_POLICIES)
    if policies:
        result["addon_policies"] = policies
    result["imds"] = {
        # The contract's eksctl (v0.230) requires IMDSv2 unless told otherwise.
        "disable_imdsv1": ng.get("disableIMDSv1") is not False,
        "disable_pod_imds": bool(ng.get("disablePodIMDS")),
    }
    if ng.get("spot") is not None:
        result["spot"] = ng["spot"]
    update = ng.get("updateConfig") or {}
    if update:
        result["update_config"] = {
            snake: update[key]
            for key, snake in (
                ("maxUnavailable", "max_unavailable"),
                ("maxUnavailablePercentage", "max_unavailable_percentage"),
            )
            if update.get(key) is not None
        }
    if ng.get("maxPodsPerNode") is not None:
        result["max_pods"] = ng["maxPodsPerNode"]
    if ng.get("releaseVersion"):
        result["release_version"] = ng["releaseVersion"]
    return result


def _ssh(ssh):
    key_path = ssh.get("publicKeyPath")
    # eksctl: a key turns SSH on unless allow is explicitly false; allow with no key uses ~/.ssh/id_rsa.pub.
    allow = ssh.get("allow")
    if allow is None:
        allow = bool(key_path)
    result = {"allow": bool(allow)}
    if allow:
        result["public_key_path"] = key_path or DEFAULT_SSH_PUBLIC_KEY_PATH
        if _entries(ssh.get("sourceSecurityGroupIds")):
            result["source_security_group_ids"] = _entries(ssh["sourceSecurityGroupIds"])
    return result


def _addons(addons, addons_config):
    """The add-ons eksctl installs: its defaults (unless disableDefaultAddons), then those listed."""
    listed = {}
    for _index, addon in _indexed(addons):
        if isinstance(addon.get("name"), str) and addon["name"].lower() not in listed:
            listed[addon["name"].lower()] = _addon(addon)
    result = []
    if not addons_config.get("disableDefaultAddons"):
        for name in DEFAULT_ADDONS:
            result.append(listed.pop(name, {"name": name}))
    result.extend(listed.values())
    prefix_delegation = False
    for addon in result:
        if addon["name"].lower() == "vpc-cni":
            values = addon.get("configuration_values")
            env = (values.get("env") if isinstance(values, dict) else None) or {}
            if not isinstance(env, dict):  # reported by _validate
                env = {}
            prefix_delegation = str(env.get("ENABLE_PREFIX_DELEGATION", "")).lower() == "true"
    return result, prefix_delegation


def _addon(addon):
    result = {"name": addon["name"]}
    if addon.get("version"):
        result["version"] = addon["version"]
    if addon.get("configurationValues"):
        try:
            values = _parse_document(addon["configurationValues"])
        except ValueError:  # reported by _validate
            values = None
        if isinstance(values, dict):
            result["configuration_values"] = values
    if addon.get("resolveConflicts"):
        result["resolve_conflicts"] = addon["resolveConflicts"].lower()
    role = {}
    policies = _enabled(addon.get("wellKnownPolicies"), WELL_KNOWN_POLICIES)
    if policies:
        role["well_known_policies"] = policies
    if _entries(addon.get("attachPolicyARNs")):
        role["managed_policy_arns"] = _entries(addon["attachPolicyARNs"])
    if role:
        result["service_account_role"] = role
    associations = [
        _pod_identity(a, with_namespace=False) for _index, a in _indexed(addon.get("podIdentityAssociations"))
    ]
    if associations:
        result["pod_identity_associations"] = associations
    return result
