"""EKS Auto Mode in CreateCluster and UpdateClusterConfig, and the checks of an identity provider config request, as
the local endpoint answers them (tests/local_aws/eks/auto_mode.py)."""

from __future__ import annotations

from local_aws_tests.helpers import error_of
from local_aws_tests.helpers import wait_for

ON = {
    "storageConfig": {"blockStorage": {"enabled": True}},
    "kubernetesNetworkConfig": {"elasticLoadBalancing": {"enabled": True}},
}
OFF = {
    "computeConfig": {"enabled": False},
    "storageConfig": {"blockStorage": {"enabled": False}},
    "kubernetesNetworkConfig": {"elasticLoadBalancing": {"enabled": False}},
}
AUTO_NODE_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAutoNodePolicy"


def _create(eks, network, name, mode="API", **extra):
    return eks.create_cluster(
        name=name,
        roleArn=network["cluster_role"],
        resourcesVpcConfig={"subnetIds": network["subnets"]},
        accessConfig={"authenticationMode": mode},
        **extra,
    )["cluster"]


def _active(eks, name):
    return wait_for(lambda: eks.describe_cluster(name=name), ["cluster", "status"], ["ACTIVE"])["cluster"]


def _update_done(eks, name, update_id):
    return wait_for(
        lambda: eks.describe_update(name=name, updateId=update_id), ["update", "status"], ["Successful", "Failed"]
    )["update"]


def test_a_cluster_created_with_auto_mode_and_its_node_access_entry(eks, network):
    compute = {"enabled": True, "nodePools": ["general-purpose", "system"], "nodeRoleArn": network["node_role"]}
    _create(eks, network, "auto", computeConfig=compute, **ON)
    cluster = _active(eks, "auto")
    assert cluster["computeConfig"] == compute
    assert cluster["storageConfig"] == {"blockStorage": {"enabled": True}}
    assert cluster["kubernetesNetworkConfig"]["elasticLoadBalancing"] == {"enabled": True}
    entry = eks.describe_access_entry(clusterName="auto", principalArn=network["node_role"])["accessEntry"]
    assert entry["type"] == "EC2"
    policies = eks.list_associated_access_policies(clusterName="auto", principalArn=network["node_role"])
    assert [p["policyArn"] for p in policies["associatedAccessPolicies"]] == [AUTO_NODE_POLICY]


def test_what_eks_refuses_at_creation(eks, raw_eks, network):
    role = network["node_role"]
    cases = [
        # Compute on, storage off.
        dict(computeConfig={"enabled": True, "nodePools": ["system"], "nodeRoleArn": role},
             kubernetesNetworkConfig={"elasticLoadBalancing": {"enabled": True}}),
        dict(computeConfig={"enabled": True, "nodePools": ["system"]}, **ON),  # no node role
        dict(computeConfig={"enabled": True, "nodePools": ["gpu"], "nodeRoleArn": role}, **ON),
        dict(computeConfig={"enabled": True, "nodePools": ["system"], "nodeRoleArn": role + "-gone"}, **ON),
    ]  # fmt: skip
    messages = []
    for index, extra in enumerate(cases):
        try:
            raw_eks.create_cluster(name=f"bad{index}", roleArn=network["cluster_role"],
                                   resourcesVpcConfig={"subnetIds": network["subnets"]},
                                   accessConfig={"authenticationMode": "API"}, **extra)  # fmt: skip
        except raw_eks.exceptions.InvalidParameterException as e:
            messages.append(e.response["Error"]["Message"])
    assert len(messages) == len(cases), messages
    assert "all either fully enabled or fully disabled" in messages[0]
    assert messages[1] == "nodeRoleArn is required when nodePools are specified."
    assert messages[2].startswith("Invalid node pool gpu")
    assert "nodeRoleArn" in messages[3]
    config_map = error_of(
        lambda: raw_eks.create_cluster(
            name="cm", roleArn=network["cluster_role"], resourcesVpcConfig={"subnetIds": network["subnets"]},
            computeConfig={"enabled": True, "nodePools": []}, **ON,
        )
    )  # fmt: skip
    assert config_map == ("InvalidParameterException", 400)
    assert eks.list_clusters()["clusters"] == []


def test_auto_mode_turned_on_changed_and_off_in_place(eks, raw_eks, network):
    _create(eks, network, "c2")
    _active(eks, "c2")
    role = network["node_role"]
    # All three at once, or refused.
    half = error_of(
        lambda: raw_eks.update_cluster_config(
            name="c2", computeConfig={"enabled": True, "nodePools": [], "nodeRoleArn": role}
        )
    )
    assert half == ("InvalidParameterException", 400)
    update = eks.update_cluster_config(
        name="c2", computeConfig={"enabled": True, "nodePools": ["system"], "nodeRoleArn": role}, **ON
    )["update"]
    assert update["type"] == "AutoModeUpdate"
    assert _update_done(eks, "c2", update["id"])["status"] == "Successful"
    cluster = _active(eks, "c2")
    assert cluster["computeConfig"]["nodePools"] == ["system"]
    assert cluster["kubernetesNetworkConfig"]["ipFamily"] == "ipv4"  # merged, not replaced
    assert eks.describe_access_entry(clusterName="c2", principalArn=role)["accessEntry"]["type"] == "EC2"
    # The same again is refused; so is another node role while compute is on.
    same = dict(computeConfig={"enabled": True, "nodePools": ["system"], "nodeRoleArn": role}, **ON)
    assert error_of(lambda: raw_eks.update_cluster_config(name="c2", **same)) == ("InvalidParameterException", 400)
    other = dict(same, computeConfig=dict(same["computeConfig"], nodeRoleArn=network["cluster_role"]))
    assert error_of(lambda: raw_eks.update_cluster_config(name="c2", **other)) == ("InvalidParameterException", 400)
    # Node pools change in place; then all off.
    pools = dict(same, computeConfig=dict(same["computeConfig"], nodePools=["general-purpose", "system"]))
    _update_done(eks, "c2", eks.update_cluster_config(name="c2", **pools)["update"]["id"])
    _active(eks, "c2")
    _update_done(eks, "c2", eks.update_cluster_config(name="c2", **OFF)["update"]["id"])
    cluster = _active(eks, "c2")
    assert cluster["computeConfig"]["enabled"] is False and cluster["storageConfig"]["blockStorage"]["enabled"] is False


def test_identity_provider_requests_eks_refuses(eks, raw_eks, network):
    _create(eks, network, "c3")
    _active(eks, "c3")
    base = {"identityProviderConfigName": "corp", "issuerUrl": "https://login.example.com", "clientId": "k8s"}
    for bad in (
        {"issuerUrl": "http://login.example.com"},
        {"issuerUrl": "https://login.example.com/?tenant=1"},
        {"groupsPrefix": "system:oidc"},
        {"requiredClaims": {"k" * 64: "v"}},
    ):
        assert error_of(
            lambda bad=bad: raw_eks.associate_identity_provider_config(clusterName="c3", oidc=dict(base, **bad))
        ) == ("InvalidParameterException", 400), bad
    assert eks.list_identity_provider_configs(clusterName="c3")["identityProviderConfigs"] == []
