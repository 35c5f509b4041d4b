# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""eksctl's strict schema (pkg/apis/eksctl.io/v1alpha5/assets/schema.json) and the check of a document against it:
every unknown key, every value of the wrong type, every section the collection does not support yet, each by
its path."""

from __future__ import annotations

from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.messages import UNSUPPORTED
from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.messages import _kind

# A property type is one of the scalar names below, the name of a definition, ("list", type) or ("map", type).
STR, BOOL, INT, NUM = "str", "bool", "int", "num"
STRS = ("list", STR)
STRMAP = ("map", STR)
DOC = "doc"  # any JSON/YAML document (policies, settings)
TAINTS = "taints"  # a list of {key, value, effect} or a map key -> "value:effect"


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
        identityProviders=("list", "IdentityProvider"),
        accessConfig="AccessConfig",
        vpc="ClusterVPC",
        addons=("list", "Addon"),
        addonsConfig="AddonsConfig",
        privateCluster="PrivateCluster",
        nodeGroups=("list", "NodeGroup"),
        managedNodeGroups=("list", "ManagedNodeGroup"),
        fargateProfiles=("list", "FargateProfile"),
        availabilityZones=STRS,
        localZones=U(STRS),
        cloudWatch="ClusterCloudWatch",
        secretsEncryption="SecretsEncryption",
        gitops=U("GitOps"),
        karpenter=U("Karpenter"),
        outpost=U("Outpost"),
        controlPlaneScalingConfig="ControlPlaneScalingConfig",
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
    "AutoModeConfig": _props(enabled=BOOL, nodeRoleARN=STR, permissionsBoundaryARN=STR, nodePools=STRS),
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
        attachRoleARN=STR,
        permissionsBoundary=STR,
        status=U("ClusterIAMServiceAccountStatus"),
        roleName=STR,
        roleOnly=BOOL,
        tags=U(STRMAP),
        subjectPattern=U(STR),
    ),
    "ClusterIAMMeta": _props(name=STR, namespace=STR, labels=STRMAP, annotations=STRMAP),
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
        roleARN=STR,
        createServiceAccount=BOOL,
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
        hostnameType=STR,
        extraCIDRs=U(STRS),
        extraIPv6CIDRs=U(STRS),
        sharedNodeSecurityGroup=U(STR),
        manageSharedNodeSecurityGroupRules=U(BOOL, True),
        autoAllocateIPv6=U(BOOL, False),
        nat="ClusterNAT",
        clusterEndpoints="ClusterEndpoints",
        publicAccessCIDRs=STRS,
        controlPlaneSubnetIDs=STRS,
        controlPlaneOnPrivateSubnets=U(BOOL, False),
        controlPlaneSecurityGroupIDs=STRS,
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
        attachPolicy=DOC,
        permissionsBoundary=U(STR),
        wellKnownPolicies="WellKnownPolicies",
        tags=STRMAP,
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
    "PrivateCluster": _props(enabled=BOOL, skipEndpointCreation=BOOL, additionalEndpointServices=STRS),
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
    "ZonalShiftConfig": _props(enabled=BOOL),
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
        # SSM is always on: every node role the collection makes carries AmazonSSMManagedInstanceCore.
        enableSsm=U(BOOL, True),
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
    # A managed nodegroup's extra security groups go into the launch template the collection writes.
    "ManagedNodeGroupSGs": _props(attachIDs=STRS, withShared=U(BOOL), withLocal=U(BOOL)),
    # A managed nodegroup's instance types may be selected by vCPUs, memory, GPUs and CPU architecture.
    "ManagedInstanceSelector": _props(
        vCPUs=INT,
        memory=STR,
        gpus=INT,
        neuron_devices=U(INT),
        cpuArchitecture=STR,
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
        maxUnhealthyNodeThresholdPercentage=U(INT),
        maxUnhealthyNodeThresholdCount=U(INT),
        maxParallelNodesRepairedPercentage=U(INT),
        maxParallelNodesRepairedCount=U(INT),
        nodeRepairConfigOverrides=U(("list", "NodeRepairConfigOverride")),
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

# A self-managed nodegroup's instanceSelector: the managed one's keys, none of them supported.
SCHEMA["InstanceSelector"] = {key: U(prop.type) for key, prop in SCHEMA["ManagedInstanceSelector"].items()}

# An add-on's association: the add-on's namespace, and a role given or made for it.
# An add-on's associations are in its own namespace, and its ServiceAccounts are the add-on's to make.
SCHEMA["AddonPodIdentityAssociation"] = dict(
    SCHEMA["PodIdentityAssociation"], **_props(namespace=U(STR), roleARN=STR, createServiceAccount=U(BOOL, False))
)

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
# A managed nodegroup's SSH may name an existing key pair.
SCHEMA["ManagedNodeGroupSSH"] = dict(SCHEMA["NodeGroupSSH"], **_props(publicKeyName=STR))
SCHEMA["ManagedNodeGroup"] = dict(
    _NODEGROUP_BASE,
    **_props(
        instanceTypes=STRS,
        availabilityZones=STRS,
        securityGroups="ManagedNodeGroupSGs",
        spot=BOOL,
        launchTemplate="LaunchTemplate",
        instanceSelector="ManagedInstanceSelector",
        releaseVersion=STR,
        nodeRepairConfig="NodeGroupNodeRepairConfig",
        # A custom AMI, the bootstrap and the instances' name go into the launch template the collection writes.
        ami=STR,
        instanceName=STR,
        preBootstrapCommands=STRS,
        overrideBootstrapCommand=STR,
        ssh="ManagedNodeGroupSSH",
    ),
)
# Self-managed nodegroups (nodeGroups): an AMI of their own, the bootstrap commands, the instances' name and an
# existing key pair are supported there (the collection writes their launch template and user data).
SCHEMA["SelfManagedNodeGroupSSH"] = SCHEMA["ManagedNodeGroupSSH"]
SCHEMA["NodeGroup"] = dict(
    _NODEGROUP_BASE,
    **_props(
        ssh="SelfManagedNodeGroupSSH",
        ami=STR,
        instanceName=STR,
        preBootstrapCommands=STRS,
        overrideBootstrapCommand=STR,
        instancesDistribution="NodeGroupInstancesDistribution",
        asgMetricsCollection=("list", "MetricsCollection"),
        cpuCredits=U(STR),
        classicLoadBalancerNames=STRS,
        targetGroupARNs=STRS,
        clusterDNS=U(STR),
        kubeletExtraConfig=U(DOC),
        containerRuntime=U(STR, "containerd"),
        maxInstanceLifetime=U(INT),
        localZones=U(STRS),
        enclaveEnabled=U(BOOL, False),
    ),
)
SCHEMA["NodeGroupTaint"] = _props(key=STR, value=STR, effect=STR)


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
