"""Self-managed nodegroups, pure parts: the AMI parameter, the user data per family, the plan and its prediction,
the definition's self_managed_nodegroups."""

from __future__ import annotations

import base64

import pytest

from ansible_collections.aews.eks.plugins.module_utils._eks import self_managed as sm
from ansible_collections.aews.eks.plugins.module_utils._eks.definition import DefinitionError
from ansible_collections.aews.eks.plugins.module_utils._eks.definition import normalize
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError

CLUSTER = {"name": "c1", "endpoint": "https://ABC.gr7.us-east-1.eks.amazonaws.com", "certificate_authority": "Q0E=",
           "service_cidr": "10.100.0.0/16"}  # fmt: skip


@pytest.mark.parametrize(
    "family, version, instance_type, parameter",
    [
        ("AmazonLinux2023", "1.33", "m5.large",
         "/aws/service/eks/optimized-ami/1.33/amazon-linux-2023/x86_64/standard/recommended/image_id"),
        ("AmazonLinux2023", "1.33", "m7g.large",
         "/aws/service/eks/optimized-ami/1.33/amazon-linux-2023/arm64/standard/recommended/image_id"),
        ("AmazonLinux2023", "1.34", "g5.xlarge",
         "/aws/service/eks/optimized-ami/1.34/amazon-linux-2023/x86_64/nvidia/recommended/image_id"),
        ("Bottlerocket", "1.33", None, "/aws/service/bottlerocket/aws-k8s-1.33/x86_64/latest/image_id"),
        ("AmazonLinux2", "1.32", "t4g.medium", "/aws/service/eks/optimized-ami/1.32/amazon-linux-2-arm64/recommended/image_id"),
        ("Windows2022", "1.33", None,
         "/aws/service/ami-windows-latest/Windows_Server-2022-English-Core-EKS_Optimized-1.33/image_id"),
    ],
)  # fmt: skip
def test_ami_parameter_per_family(family, version, instance_type, parameter):
    assert sm.ami_parameter(family, version, instance_type) == parameter


def test_ami_parameter_refuses_al2_from_133_and_unknown_families():
    with pytest.raises(EksError, match="no Amazon Linux 2 AMI for Kubernetes 1.33"):
        sm.ami_parameter("AmazonLinux2", "1.33")
    with pytest.raises(EksError, match="ami_family must be one of"):
        sm.ami_parameter("Ubuntu2204", "1.33")


def test_al2023_user_data_is_a_nodeadm_node_config_with_labels_taints_and_pre_bootstrap_commands():
    text = sm.join_user_data("AmazonLinux2023", CLUSTER, {
        "labels": {"role": "web"}, "taints": [{"key": "dedicated", "value": "web", "effect": "NO_SCHEDULE"}],
        "max_pods": 58, "pre_bootstrap_commands": ["echo before"]})  # fmt: skip
    assert text.startswith('MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="//"')
    # The script part comes first, then the NodeConfig.
    assert text.index("Content-Type: text/x-shellscript") < text.index("Content-Type: application/node.eks.aws")
    assert "echo before" in text
    assert "    name: c1\n    apiServerEndpoint: https://ABC.gr7.us-east-1.eks.amazonaws.com\n" in text
    assert "    certificateAuthority: Q0E=\n    cidr: 10.100.0.0/16\n" in text
    assert "      maxPods: 58\n" in text
    assert '      - "--node-labels=role=web"\n      - "--register-with-taints=dedicated=web:NoSchedule"\n' in text
    assert text.endswith("--//--\n")


def test_bottlerocket_user_data_is_toml_settings():
    node = {"labels": {"a": "b"}, "max_pods": 110, "taints": [{"key": "k", "value": "v", "effect": "NoExecute"}]}
    text = sm.join_user_data("Bottlerocket", CLUSTER, node)
    assert text == (
        '[settings.kubernetes]\ncluster-name = "c1"\napi-server = "https://ABC.gr7.us-east-1.eks.amazonaws.com"\n'
        'cluster-certificate = "Q0E="\ncluster-dns-ip = "10.100.0.10"\nmax-pods = 110\n\n'
        '[settings.kubernetes.node-labels]\n"a" = "b"\n\n[settings.kubernetes.node-taints]\n"k" = ["v:NoExecute"]\n'
    )
    with pytest.raises(EksError, match="pre_bootstrap_commands: Bottlerocket runs no shell scripts"):
        sm.join_user_data("Bottlerocket", CLUSTER, {"pre_bootstrap_commands": ["x"]})


def test_al2_user_data_runs_bootstrap_sh_or_the_override():
    node = {"labels": {"a": "b"}, "max_pods": 20, "pre_bootstrap_commands": ["yum install -y jq"]}
    text = sm.join_user_data("AmazonLinux2", CLUSTER, node)
    lines = text.splitlines()
    assert lines[0] == "#!/bin/bash" and lines[2] == "yum install -y jq"
    assert lines[3] == (
        "/etc/eks/bootstrap.sh c1 --apiserver-endpoint 'https://ABC.gr7.us-east-1.eks.amazonaws.com' "
        "--b64-cluster-ca 'Q0E=' --dns-cluster-ip 10.100.0.10 --use-max-pods false "
        "--kubelet-extra-args '--node-labels=a=b --max-pods=20'"
    )
    override = sm.join_user_data("AmazonLinux2", CLUSTER, {"override_bootstrap_command": "/opt/join.sh"})
    assert override.splitlines()[-1] == "/opt/join.sh" and "bootstrap.sh" not in override
    with pytest.raises(EksError, match="override_bootstrap_command: AmazonLinux2023 nodes join with nodeadm"):
        sm.join_user_data("AmazonLinux2023", CLUSTER, {"override_bootstrap_command": "/opt/join.sh"})


def test_windows_user_data_runs_the_eks_bootstrap_script():
    text = sm.join_user_data("WindowsServer2022CoreContainer", CLUSTER, {})
    assert text.startswith("<powershell>\n") and text.endswith("</powershell>\n")
    assert "Start-EKSBootstrap.ps1 -EKSClusterName 'c1'" in text and "-DNSClusterIP '10.100.0.10'" in text


def test_join_needs_the_cluster_endpoint():
    with pytest.raises(EksError, match="cluster.endpoint is required"):
        sm.join_user_data("AmazonLinux2023", dict(CLUSTER, endpoint=None))


def test_aws_auth_entry_and_access_entry_type():
    assert sm.aws_auth_entry("arn:aws:iam::1:role/n", "AmazonLinux2023") == {
        "rolearn": "arn:aws:iam::1:role/n", "username": "system:node:{{EC2PrivateDNSName}}",
        "groups": ["system:bootstrappers", "system:nodes"]}  # fmt: skip
    assert sm.aws_auth_entry("r", "Windows2019")["groups"][-1] == "eks:kube-proxy-windows"
    assert sm.access_entry_type("Windows2022") == "EC2_WINDOWS" and sm.access_entry_type("Bottlerocket") == "EC2_LINUX"


def test_min_healthy_percentage_from_max_unavailable():
    assert sm.min_healthy_percentage({"max_unavailable": 1}, 2) == 50
    assert sm.min_healthy_percentage({"max_unavailable": 1}, 3) == 67
    assert sm.min_healthy_percentage({"max_unavailable_percentage": 25}, 8) == 75
    assert sm.min_healthy_percentage({}, 8) == 90


# ---------------------------------------------------------------- the plan
def params(**extra):
    base = dict(cluster_name="c1", name="ng", state="present", launch_template={"name": "c1-ng", "version": "1"},
                subnet_ids=["subnet-b", "subnet-a"], min_size=1, max_size=3, desired_size=2,
                instances_distribution=None, capacity_rebalance=None, metrics_collection=None, target_group_arns=None,
                load_balancer_names=None, update_config=None, instance_refresh=True, tags={"team": "a"},
                purge_tags=True)  # fmt: skip
    base.update(extra)
    return base


def group(**extra):
    found = {
        "AutoScalingGroupName": "c1-ng", "MinSize": 1, "MaxSize": 3, "DesiredCapacity": 2,
        "VPCZoneIdentifier": "subnet-a,subnet-b",
        "LaunchTemplate": {"LaunchTemplateId": "lt-1", "LaunchTemplateName": "c1-ng", "Version": "1"},
        "Tags": [{"Key": k, "Value": v, "PropagateAtLaunch": True}
                 for k, v in {"team": "a", "kubernetes.io/cluster/c1": "owned",
                              "aews.eks/self-managed-nodegroup": "ng"}.items()],
        "Instances": [{"InstanceId": f"i-{n}", "LifecycleState": "InService",
                       "LaunchTemplate": {"LaunchTemplateName": "c1-ng", "Version": "1"}} for n in (1, 2)],
        "EnabledMetrics": [], "TargetGroupARNs": [], "LoadBalancerNames": [],
    }  # fmt: skip
    found.update(extra)
    return found


def test_create_then_nothing_to_change():
    desired = sm.build_desired(params())
    changes = sm.plan(None, desired)
    assert [c["call"] for c in changes] == ["create_auto_scaling_group"]
    created = changes[0]["params"]
    assert created["VPCZoneIdentifier"] == "subnet-a,subnet-b"
    assert created["LaunchTemplate"] == {"LaunchTemplateName": "c1-ng", "Version": "1"}
    assert {t["Key"]: t["PropagateAtLaunch"] for t in created["Tags"]} == {
        "aews.eks/self-managed-nodegroup": True, "kubernetes.io/cluster/c1": True, "team": True}  # fmt: skip
    predicted = sm.predict(None, changes, desired)
    assert sm.plan(dict(predicted, Instances=[]), desired) == []
    assert sm.plan(group(), desired) == []


def test_scaling_tags_and_a_new_template_version():
    desired = sm.build_desired(params(desired_size=3, tags={"team": "b"},
                                      launch_template={"name": "c1-ng", "version": "2"},
                                      update_config={"max_unavailable": 1}))  # fmt: skip
    changes = sm.plan(group(), desired)
    assert [(c["action"], c["why"]) for c in changes] == [
        ("scale", "desired_size 2 -> 3"),
        ("update", "launch template c1-ng version 1 -> c1-ng version 2"),
        ("tag", "team=b"),
        ("refresh", "replaces the 2 nodes with the new launch template, rolling with at least 67% of the nodes in "
                    "service"),
    ]  # fmt: skip
    predicted = sm.predict(group(), changes, desired)
    assert predicted["DesiredCapacity"] == 3 and predicted["LaunchTemplate"]["Version"] == "2"
    assert sm._tags_of(predicted)["team"] == "b"


def test_nodes_on_an_older_version_are_rolled_unless_a_refresh_is_running():
    current = group(LaunchTemplate={"LaunchTemplateName": "c1-ng", "Version": "2"})
    desired = sm.build_desired(params(launch_template={"name": "c1-ng", "version": "2"}))
    assert [c["action"] for c in sm.plan(current, desired)] == ["refresh"]
    assert sm.plan(current, desired, [{"Status": "InProgress"}]) == []
    assert sm.plan(current, sm.build_desired(params(launch_template={"name": "c1-ng", "version": "2"},
                                                    instance_refresh=False))) == []  # fmt: skip


def test_mixed_instances_policy_compared_with_aws_defaults():
    distribution = {"instance_types": ["m5.large", "m5a.large"], "on_demand_base_capacity": 1}
    desired = sm.build_desired(params(instances_distribution=distribution))
    mixed = {"LaunchTemplate": {"LaunchTemplateSpecification": {"LaunchTemplateName": "c1-ng", "Version": "1"},
                                "Overrides": [{"InstanceType": "m5.large"}, {"InstanceType": "m5a.large"}]},
             "InstancesDistribution": {"OnDemandAllocationStrategy": "prioritized", "OnDemandBaseCapacity": 1,
                                       "OnDemandPercentageAboveBaseCapacity": 100,
                                       "SpotAllocationStrategy": "lowest-price", "SpotInstancePools": 2}}  # fmt: skip
    current = group(MixedInstancesPolicy=mixed)
    del current["LaunchTemplate"]
    assert sm.plan(current, desired) == []
    other = sm.build_desired(params(instances_distribution=dict(distribution, on_demand_base_capacity=0)))
    changes = sm.plan(current, other)
    assert [c["action"] for c in changes] == ["update", "refresh"]
    assert "OnDemandBaseCapacity 1 -> 0" in changes[0]["why"]


def test_delete_scales_to_zero_first_and_bad_input_fails_before_any_call():
    desired = sm.build_desired(params(state="absent"))
    assert [c["action"] for c in sm.plan(group(), desired)] == ["scale", "delete"]
    assert sm.plan(None, desired) == []
    with pytest.raises(EksError, match="desired_size 4 is outside min_size..max_size"):
        sm.build_desired(params(desired_size=4))
    with pytest.raises(EksError, match="launch_template takes exactly one of id and name"):
        sm.build_desired(params(launch_template={"name": "a", "id": "lt-1"}))
    with pytest.raises(EksError, match="spot_instance_pools is only for the lowest-price"):
        sm.build_desired(params(instances_distribution={"instance_types": ["m5.large"], "spot_instance_pools": 3,
                                                        "spot_allocation_strategy": "capacity-optimized"}))  # fmt: skip
    with pytest.raises(EksError, match="subnet_ids required to create"):
        sm.plan(None, sm.build_desired(params(subnet_ids=None)))


# ---------------------------------------------------------------- the launch template data and the definition
def definition(**ng):
    entry = dict({"name": "self1", "instance_types": ["t3.medium"], "min_size": 1, "max_size": 2}, **ng)
    return normalize({"name": "c1", "region": "us-east-1", "version": "1.33", "self_managed_nodegroups": [entry]},
                     availability_zones=["us-east-1a", "us-east-1b"])  # fmt: skip


def test_launch_template_data_joins_the_node():
    ng = definition(labels={"role": "web"}, instance_name="web-node", ssh={"public_key_name": "ops"})
    ng = ng["self_managed_nodegroups"][0]
    cluster = {"name": "c1", "endpoint": CLUSTER["endpoint"], "certificate_authority": {"data": "Q0E="},
               "kubernetes_network_config": {"service_ipv4_cidr": "10.100.0.0/16"}}  # fmt: skip
    made = sm.node_launch_template(ng, cluster, tags={"aews.eks/cluster-name": "c1"}, security_group_ids=["sg-1"],
                                   ssh_security_group_id="sg-2", image_id="ami-0123456789abcdef0",
                                   instance_profile_arn="arn:aws:iam::1:instance-profile/p")  # fmt: skip
    data = made["data"]
    assert data["ImageId"] == "ami-0123456789abcdef0" and data["InstanceType"] == "t3.medium"
    assert data["IamInstanceProfile"] == {"Arn": "arn:aws:iam::1:instance-profile/p"}
    assert data["KeyName"] == "ops" and data["SecurityGroupIds"] == ["sg-1", "sg-2"]
    assert {t["Key"]: t["Value"] for t in data["TagSpecifications"][0]["Tags"]}["Name"] == "web-node"
    text = base64.b64decode(data["UserData"]).decode()
    assert text == made["user_data"] and "kind: NodeConfig" in text and "--node-labels=" in text
    assert "alpha.eksctl.io/nodegroup-name=self1" in text


def test_definition_of_self_managed_nodegroups():
    ng = definition(instances_distribution={"instance_types": ["m5.large", "m5a.large"], "max_price": 0.1},
                    metrics_collection=["all"])["self_managed_nodegroups"][0]  # fmt: skip
    assert ng["instance_types"] == ["m5.large", "m5a.large"]
    assert ng["instances_distribution"]["max_price"] == "0.1"
    assert ng["tags"]["alpha.eksctl.io/nodegroup-type"] == "unmanaged"
    assert "spot" not in ng and ng["node_role"]["managed_policy_arns"]
    with pytest.raises(DefinitionError, match=r"self_managed_nodegroups\[0\].min_size: must be an integer"):
        definition(min_size="x")
    with pytest.raises(DefinitionError, match=r"self_managed_nodegroups\[0\].spot: is for managed nodegroups"):
        definition(spot=True)
    with pytest.raises(DefinitionError, match=r"instance_types: more than one instance type needs"):
        definition(instance_types=["m5.large", "m5a.large"])
    with pytest.raises(DefinitionError, match=r"override_bootstrap_command: AmazonLinux2023 nodes join with"):
        definition(override_bootstrap_command="/x")
    with pytest.raises(DefinitionError, match=r"metrics_collection\[0\]: 'Nope' is not an Auto Scaling group metric"):
        definition(metrics_collection=["Nope"])
    with pytest.raises(DefinitionError, match=r"name: dup is already the name of"):
        normalize({"name": "c1", "region": "us-east-1", "nodegroups": [{"name": "dup"}],
                   "self_managed_nodegroups": [{"name": "dup"}]}, availability_zones=["us-east-1a", "us-east-1b"])  # fmt: skip


def test_managed_only_keys_are_refused_by_name():
    with pytest.raises(DefinitionError, match=r"self_managed_nodegroups\[0\].node_repair: is for managed nodegroups"):
        definition(node_repair={"enabled": True})
    with pytest.raises(DefinitionError, match=r"self_managed_nodegroups\[0\].security_group_ids: is not supported"):
        definition(security_group_ids=["sg-0123456789abcdef0"])
    with pytest.raises(DefinitionError, match=r"self_managed_nodegroups\[0\].launch_template: is not supported"):
        definition(launch_template={"name": "mine"})
