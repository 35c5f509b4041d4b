"""AWS as it behaves: IAM propagation, EC2's read-after-create lag, throttling per service, quotas, and a teardown
of a used cluster (what Kubernetes left in the VPC) that deletes the cluster's resources and only those."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3
import pytest
import yaml
from module_runner import run_module

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
OWNER = "aews.eks/cluster-name"
PROPAGATION = (
    "Role with arn: arn:aws:iam::123456789012:role/{} could not be assumed because it does not exist or the trusted"
    " entity is not correct"
)
ASSUME_EC2 = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def ec2():
    return boto3.client("ec2")


def injected(local_aws):
    """The faults the endpoint returned (since the request log was last cleared), as (operation, code)."""
    return [(r["operation"], r["error"]) for r in local_aws.requests() if r["injected"]]


def warnings(result):
    """The warning texts of a module result (ansible-core returns them as WarningSummary objects)."""
    return [w["event"]["msg"] if isinstance(w, dict) else w for w in result.get("warnings", [])]


def calls(local_aws, operation):
    return [r for r in local_aws.requests() if r["operation"] == operation]


# ---------------------------------------------------------------- zones without EKS capacity
def test_a_zone_without_eks_capacity_fails_saying_which_zones_to_use(local_aws, cluster_role, vpc_subnets):
    region = boto3.client("ec2").meta.region_name
    local_aws.realism(unsupported_zones=[region + "c"])
    result = run_module(
        "eks_cluster",
        {"name": "zones", "role_arn": cluster_role, "subnet_ids": vpc_subnets["subnet_ids"][:2], "version": "1.33"},
        expect_failure=True,
    )
    message = result["msg"]
    assert "UnsupportedAvailabilityZoneException" in message, message
    assert f"EKS accepts the cluster's subnets in these zones only: {region}a" in message, message
    assert "vpc.availability_zones" in message
    assert boto3.client("eks").list_clusters()["clusters"] == []
    # With the zone accepted again (the user chose other zones), the same run goes through.
    local_aws.realism(unsupported_zones=[])
    created = run_module(
        "eks_cluster",
        {"name": "zones", "role_arn": cluster_role, "subnet_ids": vpc_subnets["subnet_ids"][:2], "version": "1.33"},
    )
    assert created["cluster"]["status"] == "ACTIVE"


# ---------------------------------------------------------------- IAM propagation
def test_creates_wait_out_iam_propagation_and_say_why(local_aws, cluster_role, vpc_subnets):
    role = cluster_role.rsplit("/", 1)[1]
    local_aws.faults(
        fail_next=[
            {"operation": "eks:CreateCluster", "count": 2,
             "error": {"code": "InvalidParameterException", "status": 400, "message": PROPAGATION.format(role)}},
        ]
    )  # fmt: skip
    cluster = run_module(
        "eks_cluster",
        {"name": "faults", "role_arn": cluster_role, "subnet_ids": vpc_subnets["subnet_ids"][:2], "version": "1.33"},
    )
    assert cluster["cluster"]["status"] == "ACTIVE"
    assert len(calls(local_aws, "CreateCluster")) == 3
    assert any(
        "CreateCluster faults: waited" in w and "IAM had not yet propagated the role" in w for w in warnings(cluster)
    ), warnings(cluster)
    # The three attempts carried one client request token, derived from the request.
    token = boto3.client("eks").describe_cluster(name="faults")["cluster"].get("clientRequestToken")
    assert str(uuid.UUID(token)) == token

    iam = boto3.client("iam")
    node_role = iam.create_role(RoleName="faults-node", AssumeRolePolicyDocument=json.dumps(ASSUME_EC2))["Role"]["Arn"]
    local_aws.faults(
        fail_next=[
            {"operation": "eks:CreateNodegroup", "count": 2,
             "error": {"code": "InvalidParameterException", "status": 400,
                       "message": "The provided role doesn't have the Amazon EKS Managed Policies associated with it."
                                  " Please ensure the following policies [arn:aws:iam::aws:policy/"
                                  "AmazonEKSWorkerNodePolicy] are attached"}},
            {"operation": "eks:CreateAddon", "count": 1,
             "error": {"code": "InvalidParameterException", "status": 400,
                       "message": PROPAGATION.format("faults-vpc-cni")}},
        ]
    )  # fmt: skip
    nodegroup = run_module(
        "eks_nodegroup",
        {
            "cluster_name": "faults",
            "name": "ng",
            "node_role_arn": node_role,
            "subnet_ids": vpc_subnets["subnet_ids"][:2],
        },
    )
    assert nodegroup["nodegroup"]["status"] == "ACTIVE"
    assert any("CreateNodegroup faults/ng: waited" in w for w in warnings(nodegroup))
    addon = run_module("eks_addon", {"cluster_name": "faults", "name": "kube-proxy"})
    assert addon["addon"]["status"] == "ACTIVE"
    assert any("CreateAddon faults/kube-proxy: waited" in w for w in warnings(addon))
    assert len(injected(local_aws)) == 5  # two for the cluster, two for the nodegroup, one for the add-on

    # Bounded: with no time to wait, the refusal is reported at once, as AWS worded it.
    local_aws.faults(
        fail_next=[
            {"operation": "eks:CreateAddon", "count": 100,
             "error": {"code": "InvalidParameterException", "status": 400, "message": PROPAGATION.format("x")}},
        ]
    )  # fmt: skip
    local_aws.clear_requests()
    failed = run_module(
        "eks_addon", {"cluster_name": "faults", "name": "coredns", "iam_propagation_timeout": 0}, expect_failure=True
    )
    assert "could not be assumed" in failed["msg"]
    assert len(injected(local_aws)) == 1


# ---------------------------------------------------------------- throttling and 5xx, each service's code
def test_each_services_throttling_code_and_server_faults_are_retried(local_aws, cluster_role, vpc_subnets, monkeypatch):
    # Botocore makes one attempt only: what survives is the collection's own retry.
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    local_aws.faults(
        fail_next=[
            {"operation": "eks:CreateCluster", "count": 2,
             "error": {"code": "ThrottlingException", "status": 400, "message": "Rate exceeded"}},
            {"operation": "ec2:DescribeInstanceTypes", "count": 2,
             "error": {"code": "RequestLimitExceeded", "status": 503, "message": "Request limit exceeded."}},
            {"operation": "eks:DescribeCluster", "count": 1,
             "error": {"code": "InternalFailure", "status": 500, "message": "internal"}},
            {"operation": "iam:CreateRole", "count": 2,
             "error": {"code": "Throttling", "status": 400, "message": "Rate exceeded"}},
        ]
    )  # fmt: skip
    cluster = run_module(
        "eks_cluster", {"name": "thr", "role_arn": cluster_role, "subnet_ids": vpc_subnets["subnet_ids"][:2]}
    )
    assert cluster["cluster"]["status"] == "ACTIVE"
    run_module("eks_oidc_provider", {"cluster_name": "thr"})
    role = run_module(
        "eks_irsa", {"cluster_name": "thr", "service_accounts": [{"namespace": "kube-system", "name": "aws-node"}]}
    )
    assert role["changed"] is True
    types = run_module("eks_instance_types_info", {"instance_types": ["t3.medium"]})
    assert types["instance_types"][0]["instance_type"] == "t3.medium"
    assert sorted(injected(local_aws)) == sorted(
        [("CreateCluster", "ThrottlingException")] * 2
        + [("DescribeInstanceTypes", "RequestLimitExceeded")] * 2
        + [("DescribeCluster", "InternalFailure")]
        + [("CreateRole", "Throttling")] * 2
    )


# ---------------------------------------------------------------- playbooks
def playbook(local_aws, path, *args):
    env = dict(
        os.environ,
        AWS_ENDPOINT_URL=local_aws.url,
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_CALLBACK_RESULT_FORMAT="json",
    )
    command = [str(BIN / "ansible-playbook"), str(path), "-e", "aews_eks_poll_delay=1", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)


def site_play_environment():
    """The environment keyword of site.yml's play, as written."""
    return yaml.safe_load((ROOT / "playbooks" / "site.yml").read_text())[0]["environment"]


@pytest.fixture
def vpc_playbook(tmp_path):
    """A play running only the vpc role, with site.yml's environment and role parameters."""
    play = {
        "name": "VPC only",
        "hosts": "localhost",
        "connection": "local",
        "gather_facts": False,
        "environment": site_play_environment(),
        "vars_files": [str(ROOT / "playbooks" / "vars" / "role_parameters.yml")],
        "tasks": [{"name": "VPC", "ansible.builtin.include_role": {"name": "aews.eks.vpc"}}],
    }
    path = tmp_path / "vpc.yml"
    path.write_text(yaml.safe_dump([play], sort_keys=False))
    return path


def test_amazon_aws_modules_get_the_plays_botocore_retries(local_aws, tmp_path):
    # ThrottlingException is not among amazon.aws's own retry codes, and botocore's legacy mode tries 5 times.
    play = {
        "hosts": "localhost",
        "connection": "local",
        "gather_facts": False,
        "tasks": [{"name": "Read the VPCs", "amazon.aws.ec2_vpc_net_info": {}, "register": "found"}],
    }
    faults = {"fail_next": [{"operation": "ec2:DescribeVpcs", "count": 7, "error": "ThrottlingException"}]}
    path = tmp_path / "read.yml"
    path.write_text(yaml.safe_dump([play]))
    local_aws.faults(**faults)
    without = playbook(local_aws, path)
    assert without.returncode != 0 and "Failed to describe vpcs" in without.stdout
    assert len(injected(local_aws)) == 3  # botocore's legacy mode: 3 attempts for EC2, then the task fails
    local_aws.faults(**faults)
    local_aws.clear_requests()
    path.write_text(yaml.safe_dump([dict(play, environment=site_play_environment())]))
    with_env = playbook(local_aws, path)
    assert with_env.returncode == 0, with_env.stdout[-2000:]
    assert len(injected(local_aws)) == 7
    assert len(calls(local_aws, "DescribeVpcs")) == 8


def test_vpc_survives_lag_and_throttling_and_a_quota_error_says_what_to_do(local_aws, seed, vpc_playbook):
    path, definition = seed
    ec2().allocate_address(Domain="vpc")
    ec2().allocate_address(Domain="vpc")
    local_aws.faults(
        fail_next=[
            {"operation": "ec2:ModifyVpcAttribute", "count": 1,
             "error": {"code": "InvalidVpcID.NotFound", "status": 400, "message": "The vpc ID does not exist"}},
            {"operation": "ec2:ModifySubnetAttribute", "count": 1,
             "error": {"code": "InvalidSubnetID.NotFound", "status": 400, "message": "The subnet ID does not exist"}},
            {"operation": "ec2:DescribeAddresses", "count": 6,
             "error": {"code": "RequestLimitExceeded", "status": 503, "message": "Request limit exceeded."}},
            {"operation": "ec2:AllocateAddress", "count": 1,
             "error": {"code": "AddressLimitExceeded", "status": 400,
                       "message": "The maximum number of addresses has been reached."}},
        ]
    )  # fmt: skip
    result = playbook(local_aws, vpc_playbook, "-e", f"@{path}")
    assert result.returncode != 0
    codes = [code for _operation, code in injected(local_aws)]
    assert sorted(set(codes)) == [
        "AddressLimitExceeded", "InvalidSubnetID.NotFound", "InvalidVpcID.NotFound", "RequestLimitExceeded"
    ]  # fmt: skip
    assert len(codes) == 9
    # Under the name of the task that failed, as Ansible prints it, eks_vpc's one message: AWS's, then the quota,
    # what is in use in the region and what to do, once.
    fatal = [line for line in result.stdout.splitlines() if line.startswith("fatal: [localhost]: FAILED! => ")]
    assert len(fatal) == 1, result.stdout[-3000:]
    assert result.stdout.rindex("TASK [aews.eks.vpc : Create | VPC]") < result.stdout.index(fatal[0])
    message = json.loads(fatal[0].split(" => ", 1)[1])["msg"]
    assert message.startswith(
        "Failed to allocate the elastic IP address: AddressLimitExceeded: The maximum number of addresses has been"
        " reached. AWS quota 'EC2-VPC Elastic IPs' reached (AddressLimitExceeded): 2 elastic IP addresses in use in"
        " ap-northeast-2. Either release elastic IP addresses nothing uses (aws ec2 describe-addresses, aws ec2"
        " release-address), or raise the quota in Service Quotas (console, or: aws service-quotas"
        " request-service-quota-increase --service-code ec2 --quota-code L-0263D0A3 --desired-value N --region"
        " ap-northeast-2); then run again"
    ), message
    assert message.count("AWS quota") == 1

    # After the fix (here: the quota error does not come again) a re-run continues, through more lag and faults.
    local_aws.clear_requests()
    local_aws.faults(
        fail_next=[
            {"operation": "ec2:CreateNatGateway", "count": 2,
             "error": {"code": "InvalidAllocationID.NotFound", "status": 400, "message": "does not exist"}},
            {"operation": "ec2:CreateSecurityGroup", "count": 2,
             "error": {"code": "InternalError", "status": 500, "message": "An internal error has occurred"}},
        ]
    )  # fmt: skip
    result = playbook(local_aws, vpc_playbook, "-e", f"@{path}")
    assert result.returncode == 0, result.stdout[-3000:]
    assert len(injected(local_aws)) == 4
    assert not [r for r in local_aws.requests() if r["operation"] in ("CreateVpc", "CreateSubnet")]
    # One of each, whatever was tried again.
    mine = {"Key": OWNER, "Value": definition["name"]}
    assert len([v for v in ec2().describe_vpcs()["Vpcs"] if mine in v.get("Tags", [])]) == 1
    nats = ec2().describe_nat_gateways(Filter=[{"Name": "state", "Values": ["available"]}])["NatGateways"]
    assert len(nats) == 1 and mine in nats[0]["Tags"]
    assert len(ec2().describe_addresses()["Addresses"]) == 3
    groups = [g["GroupName"] for g in ec2().describe_security_groups()["SecurityGroups"] if mine in g.get("Tags", [])]
    # The vpc role makes the nodegroups' SSH groups with the cluster's two (the seed's nodegroup allows SSH).
    assert sorted(groups) == [
        f"{definition['name']}-control-plane",
        f"{definition['name']}-{definition['nodegroups'][0]['name']}-remote-access",
        f"{definition['name']}-shared-nodes",
    ]


# ---------------------------------------------------------------- teardown of a used cluster
def tags_of(resource):
    tags = resource.get("Tags") or resource.get("TagSet") or []
    return {t["Key"]: t.get("Value", "") for t in tags}


def belongs_to(tags, name):
    return (
        tags.get(OWNER) == name
        or tags.get(f"kubernetes.io/cluster/{name}") == "owned"
        or tags.get("elbv2.k8s.aws/cluster") == name
        or tags.get("cluster.k8s.amazonaws.com/name") == name
    )


def everything_of(name):
    """Every EC2 / ELB resource whose tags say it belongs to cluster ``name`` (read without filters)."""
    client = ec2()
    found = []
    for describe, key, id_key in [
        ("describe_vpcs", "Vpcs", "VpcId"),
        ("describe_subnets", "Subnets", "SubnetId"),
        ("describe_security_groups", "SecurityGroups", "GroupId"),
        ("describe_internet_gateways", "InternetGateways", "InternetGatewayId"),
        ("describe_route_tables", "RouteTables", "RouteTableId"),
        ("describe_addresses", "Addresses", "AllocationId"),
        ("describe_network_interfaces", "NetworkInterfaces", "NetworkInterfaceId"),
        ("describe_key_pairs", "KeyPairs", "KeyName"),
        ("describe_launch_templates", "LaunchTemplates", "LaunchTemplateName"),
    ]:
        found += [r[id_key] for r in getattr(client, describe)()[key] if belongs_to(tags_of(r), name)]
    found += [
        n["NatGatewayId"]
        for n in client.describe_nat_gateways()["NatGateways"]
        if belongs_to(tags_of(n), name) and n["State"] != "deleted"
    ]
    elbv2 = boto3.client("elbv2")
    arns = [lb["LoadBalancerArn"] for lb in elbv2.describe_load_balancers()["LoadBalancers"]]
    if arns:
        for description in elbv2.describe_tags(ResourceArns=arns)["TagDescriptions"]:
            if belongs_to(tags_of(description), name):
                found.append(description["ResourceArn"])
    elb = boto3.client("elb")
    names = [lb["LoadBalancerName"] for lb in elb.describe_load_balancers()["LoadBalancerDescriptions"]]
    if names:
        for description in elb.describe_tags(LoadBalancerNames=names)["TagDescriptions"]:
            if belongs_to(tags_of(description), name):
                found.append(description["LoadBalancerName"])
    return found


def settle():
    """Past the endpoint's EC2 read-after-create lag (realistic profile, scaled) before naming a new id."""
    time.sleep(0.1)


def spec(resource_type, tags):
    return [{"ResourceType": resource_type, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]


def kubernetes_leftovers(name, vpc_id, subnets, nodes_group_id):
    """What a LoadBalancer Service and the VPC CNI leave in the VPC: load balancers, their group, a rule, an ENI."""
    client = ec2()
    lb_group = client.create_security_group(
        GroupName=f"k8s-elb-{name}", Description="Security group for Kubernetes ELB", VpcId=vpc_id,
        TagSpecifications=spec("security-group", {f"kubernetes.io/cluster/{name}": "owned"}),
    )["GroupId"]  # fmt: skip
    settle()
    client.authorize_security_group_ingress(
        GroupId=nodes_group_id,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 30080, "ToPort": 30080,
                        "UserIdGroupPairs": [{"GroupId": lb_group}]}],
    )  # fmt: skip
    alb = boto3.client("elbv2").create_load_balancer(
        Name=f"k8s-{name}-web", Subnets=subnets, SecurityGroups=[lb_group], Type="application",
        Tags=[{"Key": "elbv2.k8s.aws/cluster", "Value": name}],
    )["LoadBalancers"][0]["LoadBalancerArn"]  # fmt: skip
    boto3.client("elb").create_load_balancer(
        LoadBalancerName=f"a{uuid.uuid4().hex[:20]}",
        Listeners=[{"Protocol": "TCP", "LoadBalancerPort": 80, "InstancePort": 30080}],
        Subnets=subnets[:1], SecurityGroups=[lb_group],
        Tags=[{"Key": f"kubernetes.io/cluster/{name}", "Value": "owned"}],
    )  # fmt: skip
    eni = client.create_network_interface(
        SubnetId=subnets[0], Description="aws-K8S-i-0123456789abcdef0",
        TagSpecifications=spec("network-interface", {"cluster.k8s.amazonaws.com/name": name}),
    )["NetworkInterface"]["NetworkInterfaceId"]  # fmt: skip
    return {"lb_group": lb_group, "alb": alb, "eni": eni}


def second_cluster(name="other"):
    """Another cluster's network in the same account and CIDR, made as the vpc role makes it, with its leftovers."""
    client = ec2()
    own = {OWNER: name}
    vpc = client.create_vpc(CidrBlock="172.20.0.0/16", TagSpecifications=spec("vpc", dict(own, Name=f"{name}-vpc")))
    vpc_id = vpc["Vpc"]["VpcId"]
    settle()
    subnets = [
        client.create_subnet(
            VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone, TagSpecifications=spec("subnet", own)
        )["Subnet"]["SubnetId"]
        for cidr, zone in (("172.20.0.0/19", "ap-northeast-2a"), ("172.20.32.0/19", "ap-northeast-2c"))
    ]  # fmt: skip
    igw = client.create_internet_gateway(TagSpecifications=spec("internet-gateway", own))
    settle()
    client.attach_internet_gateway(InternetGatewayId=igw["InternetGateway"]["InternetGatewayId"], VpcId=vpc_id)
    allocation = client.allocate_address(Domain="vpc", TagSpecifications=spec("elastic-ip", own))["AllocationId"]
    settle()
    nat = client.create_nat_gateway(
        SubnetId=subnets[0], AllocationId=allocation, TagSpecifications=spec("natgateway", own)
    )["NatGateway"]["NatGatewayId"]
    nodes = client.create_security_group(
        GroupName=f"{name}-shared-nodes", Description="nodes", VpcId=vpc_id,
        TagSpecifications=spec("security-group", own),
    )["GroupId"]  # fmt: skip
    settle()
    leftovers = kubernetes_leftovers(name, vpc_id, subnets, nodes)
    return dict(leftovers, vpc=vpc_id, subnets=subnets, nat=nat, allocation=allocation, nodes=nodes)


def look_alikes(name):
    """Resources named like the cluster's that do not carry its ownership tag."""
    client = ec2()
    vpc_id = client.create_vpc(CidrBlock="172.20.0.0/16", TagSpecifications=spec("vpc", {"Name": f"{name}-vpc"}))
    vpc_id = vpc_id["Vpc"]["VpcId"]
    settle()
    subnet = client.create_subnet(
        VpcId=vpc_id, CidrBlock="172.20.0.0/19", AvailabilityZone="ap-northeast-2a",
        TagSpecifications=spec("subnet", {"Name": f"{name}-public-ap-northeast-2a"}),
    )["Subnet"]["SubnetId"]  # fmt: skip
    group = client.create_security_group(
        GroupName=f"{name}-shared-nodes", Description="look-alike", VpcId=vpc_id,
        TagSpecifications=spec("security-group", {"Name": f"{name}-shared-nodes"}),
    )["GroupId"]  # fmt: skip
    key = client.create_key_pair(KeyName=f"{name}-lookalike")["KeyName"]
    template = client.create_launch_template(
        LaunchTemplateName=f"{name}-lookalike", LaunchTemplateData={"InstanceType": "t3.medium"}
    )["LaunchTemplate"]["LaunchTemplateName"]
    role = boto3.client("iam").create_role(
        RoleName=f"{name}-lookalike-node-role", AssumeRolePolicyDocument=json.dumps(ASSUME_EC2)
    )["Role"]["RoleName"]
    return {"vpc": vpc_id, "subnet": subnet, "group": group, "key": key, "template": template, "role": role}


def test_teardown_of_a_used_cluster_deletes_its_resources_and_only_those(local_aws, seed):
    path, definition = seed
    name = definition["name"]
    # AWS as it fails (IAM propagation, EC2 lag, NAT gateway transitions, lingering interfaces, quotas), sped up.
    local_aws.realism(profile="realistic", seed=7)
    local_aws.configure(scale=0.02)
    result = playbook(local_aws, ROOT / "site.yml", "-e", f"@{path}")
    assert result.returncode == 0, result.stdout[-3000:]

    client = ec2()
    vpc_id = next(v["VpcId"] for v in client.describe_vpcs()["Vpcs"] if tags_of(v).get(OWNER) == name)
    subnets = client.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    public = [s["SubnetId"] for s in subnets if tags_of(s).get("kubernetes.io/role/elb") == "1"]
    groups = client.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]
    nodes = next(g["GroupId"] for g in groups if g["GroupName"] == f"{name}-shared-nodes")
    ours = kubernetes_leftovers(name, vpc_id, public, nodes)
    # And a Service of type LoadBalancer as the endpoint simulates it (interfaces in the subnets, a rule on the
    # cluster security group).
    service = local_aws.post("/_aews/load_balancer", {"cluster": name, "kind": "service"})
    other = second_cluster()
    alike = look_alikes(name)
    nat_ids = [
        n["NatGatewayId"] for n in client.describe_nat_gateways()["NatGateways"] if tags_of(n).get(OWNER) == name
    ]
    assert len(nat_ids) == 1

    # Check mode: read only, and names what it would delete, the leftovers of Kubernetes included.
    local_aws.clear_requests()
    check = playbook(local_aws, ROOT / "playbooks" / "teardown.yml", "-e", f"@{path}", "--check")
    assert check.returncode == 0, check.stdout[-3000:]
    assert [r["operation"] for r in local_aws.requests(mutating=True)] == []
    predicted = " ".join(check.stdout.split())
    assert f"Would delete in the VPC of {name}: load_balancer " in predicted
    for item in (f"load_balancer {ours['alb']}", f"load_balancer {service['load_balancer_arn']}",
                 f"kubernetes_security_group {service['security_group_id']}",
                 f"kubernetes_security_group {ours['lb_group']}", f"network_interface {ours['eni']}",
                 f"nat_gateway {nat_ids[0]}", f"vpc {vpc_id}"):  # fmt: skip
        assert item in predicted, item
    assert other["vpc"] not in predicted and alike["vpc"] not in predicted

    # The elastic IP still mapped for a moment after its NAT gateway is deleted; the internet gateway refusing to
    # detach while public addresses are mapped: both waited out.
    local_aws.faults(
        fail_next=[
            {"operation": "ec2:ReleaseAddress", "count": 2,
             "error": {"code": "InvalidIPAddress.InUse", "status": 400, "message": "Address is in use."}},
            {"operation": "ec2:DetachInternetGateway", "count": 2,
             "error": {"code": "DependencyViolation", "status": 400,
                       "message": "Network vpc has some mapped public address(es). Please unmap those public"
                                  " address(es) before detaching the gateway."}},
        ]
    )  # fmt: skip
    local_aws.clear_requests()
    retries = ("-e", "aews_eks_delete_retries=20", "-e", "aews_eks_delete_delay=1")
    result = playbook(local_aws, ROOT / "playbooks" / "teardown.yml", "-e", f"@{path}", *retries)
    assert result.returncode == 0, result.stdout[-3000:]
    assert len(injected(local_aws)) == 4

    assert everything_of(name) == []
    # The role tags a launch template's instances, not the template: those named after the cluster, by name.
    templates = [t["LaunchTemplateName"] for t in client.describe_launch_templates()["LaunchTemplates"]]
    assert [t for t in templates if t.startswith(f"{name}-")] == [alike["template"]]
    keys = [k["KeyName"] for k in client.describe_key_pairs()["KeyPairs"]]
    assert [k for k in keys if k.startswith(f"{name}-")] == [alike["key"]]
    assert boto3.client("eks").list_clusters()["clusters"] == []
    roles = [r["RoleName"] for r in boto3.client("iam").list_roles()["Roles"]]
    assert [r for r in roles if r.startswith(f"{name}-")] == [alike["role"]]

    # The address was released only once its NAT gateway was seen deleted.
    log = [(r["operation"], r["error"]) for r in local_aws.requests(service="ec2")]
    deleted_at = log.index(("DeleteNatGateway", None))
    released_at = log.index(("ReleaseAddress", None))
    assert ("DescribeNatGateways", None) in log[deleted_at:released_at]
    assert log.index(("ReleaseAddress", "InvalidIPAddress.InUse")) > deleted_at

    # The second cluster and the look-alikes are untouched.
    expected = {other["vpc"], *other["subnets"], other["nat"], other["allocation"], other["nodes"], other["lb_group"]}
    assert set(everything_of("other")) >= expected | {other["eni"], other["alb"]}
    nat = client.describe_nat_gateways(NatGatewayIds=[other["nat"]])["NatGateways"][0]
    assert nat["State"] == "available"
    rules = client.describe_security_groups(GroupIds=[other["nodes"]])["SecurityGroups"][0]["IpPermissions"]
    assert rules[0]["UserIdGroupPairs"][0]["GroupId"] == other["lb_group"]
    assert client.describe_vpcs(VpcIds=[alike["vpc"]])["Vpcs"]
    assert client.describe_subnets(SubnetIds=[alike["subnet"]])["Subnets"]
    assert client.describe_security_groups(GroupIds=[alike["group"]])["SecurityGroups"]
    assert client.describe_key_pairs(KeyNames=[alike["key"]])["KeyPairs"]
    assert client.describe_launch_templates(LaunchTemplateNames=[alike["template"]])["LaunchTemplates"]
    ours_nats = client.describe_nat_gateways(NatGatewayIds=nat_ids)["NatGateways"]
    assert [n["State"] for n in ours_nats] == ["deleted"]
