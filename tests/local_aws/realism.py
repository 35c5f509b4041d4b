"""AWS's everyday failures, on demand: IAM propagation, EC2 eventual consistency, NAT gateway transitions,
lingering network interfaces, quotas, EKS zones without capacity, service-linked roles, and simulated Kubernetes
load balancers. All off by default ("profile": "ideal"); "profile": "realistic" turns them all on.

server.py calls `before` (may answer an error instead of the service) and `after` (records what a successful
call created) around every API call, and `settle` first (ends what is due: NAT gateway transitions, lingering
interfaces). Durations are seconds multiplied by the endpoint's `scale`. See README.md for the interface.
"""

from __future__ import annotations

import base64
import copy
import heapq
import itertools
import json
import random
import re
import secrets
import time
from urllib.parse import parse_qs

from . import ec2_ext
from .controls import ControlError

ZONE_IDS_WITHOUT_EKS = {
    # eksctl's pkg/az zoneIDsToAvoid (the zones EKS control planes cannot use), as zone IDs
    "us-east-1": ["use1-az3"],
    "us-west-1": ["usw1-az2"],
    "ca-central-1": ["cac1-az3"],
    "cn-north-1": ["cnn1-az4"],
}
QUOTA_KEYS = ("addresses", "vpcs", "internet_gateways", "nat_gateways_per_az")
REALISTIC_QUOTAS = {"addresses": 5, "vpcs": 5, "internet_gateways": 5, "nat_gateways_per_az": 5}
EKS_NODE_POLICIES = (
    "[arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy, arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly]"
)

# Which id a created resource gets, and how EC2 says it does not exist (yet).
ID_KINDS = {
    "vpc-": ("InvalidVpcID.NotFound", "The vpc ID '{id}' does not exist"),
    "subnet-": ("InvalidSubnetID.NotFound", "The subnet ID '{id}' does not exist"),
    "rtb-": ("InvalidRouteTableID.NotFound", "The routeTable ID '{id}' does not exist"),
    "sg-": ("InvalidGroup.NotFound", "The security group '{id}' does not exist"),
    "nat-": ("NatGatewayNotFound", "The Nat Gateway {id} was not found"),
    "eipalloc-": ("InvalidAllocationID.NotFound", "The allocation ID '{id}' does not exist"),
    "igw-": ("InvalidInternetGatewayID.NotFound", "The internetGateway ID '{id}' does not exist"),
}
CREATED_ID = {
    "CreateVpc": "vpcId",
    "CreateSubnet": "subnetId",
    "CreateRouteTable": "routeTableId",
    "CreateSecurityGroup": "groupId",
    "CreateNatGateway": "natGatewayId",
    "AllocateAddress": "allocationId",
    "CreateInternetGateway": "internetGatewayId",
}
_DESCRIBE_ID_PARAM = re.compile(
    r"^(VpcId|SubnetId|RouteTableId|GroupId|NatGatewayId|AllocationId|InternetGatewayId)\.\d+$"
)
_NAMING_OPERATIONS = ("Modify", "Associate", "Attach", "Authorize")
_NAMING_EXACT = ("CreateTags", "DeleteTags", "CreateRoute", "ReplaceRoute")

SERVICE_LINKED_ROLES = {
    "cluster": ("AWSServiceRoleForAmazonEKS", "eks.amazonaws.com", "AmazonEKSServiceRolePolicy"),
    "nodegroup": (
        "AWSServiceRoleForAmazonEKSNodegroup",
        "eks-nodegroup.amazonaws.com",
        "AWSServiceRoleForAmazonEKSNodegroup",
    ),
}


def ideal():
    return {
        "iam_propagation": None,
        "ec2_lag": 0,
        "nat_gateway": None,
        "eni_linger": 0,
        "quotas": {k: None for k in QUOTA_KEYS},
        "unsupported_zones": [],
        "service_linked_roles": False,
        "security_group_references": False,
    }


def realistic_zones():
    """eksctl's zone IDs without EKS, as the zone names moto gives them (us-east-1e is use1-az3)."""
    from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend

    names = []
    for region, zone_ids in ZONE_IDS_WITHOUT_EKS.items():
        for zone in RegionsAndZonesBackend.zones.get(region, []):
            if zone.zone_id in zone_ids:
                names.append(zone.name)
    return sorted(names)


def realistic():
    return {
        "iam_propagation": [0.0, 10.0],
        "ec2_lag": 2.0,
        "nat_gateway": {"create": 120.0, "delete": 60.0},
        "eni_linger": 30.0,
        "quotas": dict(REALISTIC_QUOTAS),
        "unsupported_zones": realistic_zones(),
        "service_linked_roles": True,
        "security_group_references": True,
    }


class RealismError(Exception):
    def __init__(self, code, message, status=400, **fields):
        super().__init__(message)
        self.code, self.message, self.status, self.fields = code, message, status, fields


def _seconds(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ControlError(f"{name} must be a number of seconds >= 0")
    return float(value)


class Realism:
    def __init__(self, controls, account_id):
        self.controls = controls
        self.account = account_id
        self.lock = controls.lock
        self.reset()
        ec2_ext.install()
        from moto.ec2.models import EC2Backend

        EC2Backend._aews_nat_create_hook = staticmethod(self._nat_created)
        EC2Backend._aews_nat_delete_hook = staticmethod(self._nat_deleting)

    # ------------------------------------------------------------------ settings
    def reset(self):
        with self.lock:
            self.profile = "ideal"
            self.settings = ideal()
            self.seed = 0
            self.random = random.Random(0)
            self.role_windows = {}  # role name -> (until, "create" | "policy")
            self.oidc_windows = {}  # issuer host/path -> until
            self.new_ids = {}  # EC2 id -> until
            self.events = []
            self.seq = itertools.count()
            self.sg_to_delete = []  # (region, group id) waiting for their interfaces to go
            self.load_balancers = {}  # name -> record

    def describe(self):
        with self.lock:
            return dict(copy.deepcopy(self.settings), profile=self.profile, seed=self.seed)

    def configure(self, payload):
        """Apply the realism keys of a POST /_aews/config body (profile first, then the keys given)."""
        with self.lock:
            settings = copy.deepcopy(self.settings)
            profile = self.profile
            if "profile" in payload:
                if payload["profile"] not in ("realistic", "ideal"):
                    raise ControlError("profile must be 'realistic' or 'ideal'")
                profile = payload["profile"]
                settings = realistic() if profile == "realistic" else ideal()
            if "iam_propagation" in payload:
                window = payload["iam_propagation"]
                if window is None:
                    settings["iam_propagation"] = None
                else:
                    if not isinstance(window, list) or len(window) != 2:
                        raise ControlError("iam_propagation must be [min_seconds, max_seconds] or null")
                    low, high = (_seconds(v, "iam_propagation") for v in window)
                    if low > high:
                        raise ControlError("iam_propagation: min_seconds must not exceed max_seconds")
                    settings["iam_propagation"] = [low, high]
            for key in ("ec2_lag", "eni_linger"):
                if key in payload:
                    settings[key] = _seconds(payload[key] or 0, key)
            if "nat_gateway" in payload:
                nat = payload["nat_gateway"]
                if nat in (None, False):
                    settings["nat_gateway"] = None
                elif not isinstance(nat, dict) or set(nat) - {"create", "delete"}:
                    raise ControlError('nat_gateway must be {"create": seconds, "delete": seconds} or null')
                else:
                    settings["nat_gateway"] = {
                        "create": _seconds(nat.get("create", 120), "nat_gateway.create"),
                        "delete": _seconds(nat.get("delete", 60), "nat_gateway.delete"),
                    }
            if "quotas" in payload:
                quotas = payload["quotas"]
                if quotas is None:
                    quotas = {k: None for k in QUOTA_KEYS}
                if not isinstance(quotas, dict):
                    raise ControlError(f"quotas must be an object with keys {', '.join(QUOTA_KEYS)}")
                for key, value in quotas.items():
                    if key not in QUOTA_KEYS:
                        raise ControlError(f"unknown quota {key!r}; quotas are {', '.join(QUOTA_KEYS)}")
                    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                        raise ControlError(f"quotas.{key} must be an integer >= 0 or null (unlimited)")
                    settings["quotas"][key] = value
            if "unsupported_zones" in payload:
                zones = payload["unsupported_zones"] or []
                if not isinstance(zones, list) or not all(isinstance(z, str) for z in zones):
                    raise ControlError("unsupported_zones must be a list of availability zone names")
                settings["unsupported_zones"] = list(zones)
            for key in ("service_linked_roles", "security_group_references"):
                if key in payload:
                    if not isinstance(payload[key], bool):
                        raise ControlError(f"{key} must be true or false")
                    settings[key] = payload[key]
            if "seed" in payload:
                if not isinstance(payload["seed"], int):
                    raise ControlError("seed must be an integer")
                self.seed = payload["seed"]
                self.random = random.Random(self.seed)
            self.settings, self.profile = settings, profile
            return self.describe()

    def _scaled(self, seconds):
        return float(seconds) * float(self.controls.scale)

    # ------------------------------------------------------------------ time
    def _at(self, due, fn):
        heapq.heappush(self.events, (due, next(self.seq), fn))

    def settle(self, now=None):
        with self.lock:
            now = time.time() if now is None else now
            while self.events and self.events[0][0] <= now:
                _due, _seq, fn = heapq.heappop(self.events)
                try:
                    fn()
                except Exception:  # noqa: BLE001 (moto state was reset meanwhile)
                    pass
            if self.sg_to_delete:
                self._retry_security_group_deletes()

    # ------------------------------------------------------------------ before / after an API call
    def before(self, service, operation, region, environ, body):
        """None, or a RealismError to answer instead of calling the service."""
        with self.lock:
            if service == "ec2":
                return self._before_ec2(operation, region, _form(body, environ))
            if service == "eks":
                return self._before_eks(operation, region, environ, body)
            if service == "sts" and operation == "AssumeRoleWithWebIdentity":
                return self._before_web_identity(_form(body, environ))
        return None

    def after(self, service, operation, region, environ, body, status, payload):
        if status >= 300:
            return
        with self.lock:
            now = time.time()
            if service == "iam":
                self._after_iam(operation, _form(body, environ), now)
            elif service == "ec2" and operation in CREATED_ID and self.settings["ec2_lag"]:
                match = re.search(rf"<{CREATED_ID[operation]}>([^<]+)</", payload.decode("utf-8", "replace"))
                if match:
                    self.new_ids[match.group(1)] = now + self._scaled(self.settings["ec2_lag"])
            elif service == "eks" and self.settings["service_linked_roles"]:
                if operation == "CreateCluster":
                    self._service_linked_role("cluster")
                elif operation == "CreateNodegroup":
                    self._service_linked_role("nodegroup")
            elif service == "elasticloadbalancing" and operation == "DeleteLoadBalancer":
                form = _form(body, environ)
                self._load_balancer_gone(region, form.get("LoadBalancerArn") or form.get("LoadBalancerName"))

    # ------------------------------------------------------------------ IAM propagation
    def _after_iam(self, operation, form, now):
        window = self.settings["iam_propagation"]
        if not window:
            return
        seconds = self._scaled(self.random.uniform(*window))
        if operation == "CreateRole" and form.get("RoleName"):
            self.role_windows[form["RoleName"]] = (now + seconds, "create")
        elif operation in ("AttachRolePolicy", "PutRolePolicy") and form.get("RoleName"):
            until, kind = self.role_windows.get(form["RoleName"], (0, "policy"))
            self.role_windows[form["RoleName"]] = (max(until, now + seconds), "create" if until > now else "policy")
        elif operation == "CreateOpenIDConnectProvider" and form.get("Url"):
            self.oidc_windows[_issuer_key(form["Url"])] = now + seconds

    def _role_window(self, arn):
        if not isinstance(arn, str) or "/" not in arn:
            return None
        until, kind = self.role_windows.get(arn.rsplit("/", 1)[-1], (0, None))
        return kind if until > time.time() else None

    def _not_assumable(self, arn, field=None):
        return RealismError(
            "InvalidParameterException",
            f"Role with arn: {arn}, could not be assumed because it does not exist or the trusted entity is not correct",
        )

    def _before_eks(self, operation, region, environ, body):
        if operation not in ("CreateCluster", "CreateNodegroup", "CreateAddon", "CreateFargateProfile"):
            return None
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            return None
        if operation == "CreateCluster":
            if self._role_window(params.get("roleArn")):
                return self._not_assumable(params["roleArn"])
            return self._unsupported_zone(region, params)
        if operation == "CreateNodegroup":
            kind = self._role_window(params.get("nodeRole"))
            if kind == "policy":
                return RealismError(
                    "InvalidParameterException",
                    "The provided role doesn't have the Amazon EKS Managed Policies associated with it. Please ensure"
                    f" the following policies {EKS_NODE_POLICIES} are attached",
                )
            if kind:
                return self._not_assumable(params["nodeRole"])
        if operation == "CreateAddon" and self._role_window(params.get("serviceAccountRoleArn")):
            return self._not_assumable(params["serviceAccountRoleArn"])
        if operation == "CreateFargateProfile" and self._role_window(params.get("podExecutionRoleArn")):
            return RealismError(
                "InvalidParameterException",
                "Misconfigured PodExecutionRole Trust Policy; Please add the eks-fargate-pods.amazonaws.com Service"
                " Principal",
            )
        return None

    def _before_web_identity(self, form):
        if not self.oidc_windows:
            return None
        issuer = _token_issuer(form.get("WebIdentityToken", ""))
        now = time.time()
        pending = [key for key, until in self.oidc_windows.items() if until > now]
        if issuer is not None:
            pending = [key for key in pending if key == _issuer_key(issuer)]
        if not pending:
            return None
        return RealismError(
            "InvalidIdentityToken", f"No OpenIDConnect provider found in your account for https://{pending[0]}"
        )

    # ------------------------------------------------------------------ EKS zones and service-linked roles
    def _unsupported_zone(self, region, params):
        unsupported = set(self.settings["unsupported_zones"])
        if not unsupported:
            return None
        backend = self._ec2(region)
        for subnet_id in (params.get("resourcesVpcConfig") or {}).get("subnetIds") or []:
            try:
                zone = backend.get_subnet(subnet_id).availability_zone
            except Exception:  # noqa: BLE001 (EKS's own checks answer unknown subnets)
                continue
            if zone in unsupported:
                valid = [z.name for z in backend.describe_availability_zones() if z.name not in unsupported]
                name = params.get("name", "")
                return RealismError(
                    "UnsupportedAvailabilityZoneException",
                    f"Cannot create cluster '{name}' because {zone}, the targeted availability zone, does not"
                    " currently have sufficient capacity to support the cluster. Retry and choose from these"
                    f" availability zones: {', '.join(valid)}",
                    clusterName=name,
                    validZones=valid,
                )
        return None

    def _service_linked_role(self, kind):
        from moto.iam.models import iam_backends

        name, service, policy = SERVICE_LINKED_ROLES[kind]
        iam = iam_backends[self.account]["global"]
        if any(role.name == name for role in iam.roles.values()):
            return
        trust = json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
            }
        )
        iam.create_role(name, trust, f"/aws-service-role/{service}/", None, "", [], None, linked_service=service)
        try:
            iam.attach_role_policy(f"arn:aws:iam::aws:policy/aws-service-role/{policy}", name)
        except Exception:  # noqa: BLE001 (the managed policy is not loaded)
            pass

    # ------------------------------------------------------------------ EC2
    def _ec2(self, region):
        from moto.ec2.models import ec2_backends

        return ec2_backends[self.account][region]

    def _before_ec2(self, operation, region, form):
        lag = self._lagging(operation, form)
        if lag:
            return lag
        quota = self._quota(operation, region, form)
        if quota:
            return quota
        if operation == "DeleteSecurityGroup" and self.settings["security_group_references"]:
            return self._referenced_group(region, form.get("GroupId"))
        if self.settings["nat_gateway"]:
            return self._nat_rules(operation, region, form)
        return None

    def _referenced_group(self, region, group_id):
        """A group named by a rule of another group cannot be deleted (rules of the group itself do not count)."""
        if not group_id:
            return None
        backend = self._ec2(region)
        for groups in list(backend.groups.values()):
            for group in list(groups.values()):
                if group.id == group_id:
                    continue
                for rule in list(group.ingress_rules) + list(group.egress_rules):
                    if (rule.source_group or {}).get("GroupId") == group_id:
                        return RealismError("DependencyViolation", f"resource {group_id} has a dependent object")
        return None

    def _lagging(self, operation, form):
        if not self.new_ids:
            return None
        now = time.time()
        for key in [k for k, until in self.new_ids.items() if until <= now]:
            del self.new_ids[key]
        if operation.startswith("Describe"):
            candidates = [v for k, v in form.items() if _DESCRIBE_ID_PARAM.match(k)]
        elif operation.startswith(_NAMING_OPERATIONS) or operation in _NAMING_EXACT:
            candidates = [v for k, v in form.items() if k not in ("Action", "Version")]
        else:
            return None
        for value in candidates:
            if value in self.new_ids:
                for prefix, (code, message) in ID_KINDS.items():
                    if value.startswith(prefix):
                        return RealismError(code, message.format(id=value))
        return None

    def _quota(self, operation, region, form):
        quotas = self.settings["quotas"]
        backend = None
        if operation == "AllocateAddress" and quotas["addresses"] is not None:
            backend = self._ec2(region)
            if len(backend.addresses) >= quotas["addresses"]:
                return RealismError("AddressLimitExceeded", "The maximum number of addresses has been reached.")
        if operation == "CreateVpc" and quotas["vpcs"] is not None:
            backend = self._ec2(region)
            if len(backend.vpcs) >= quotas["vpcs"]:
                return RealismError("VpcLimitExceeded", "The maximum number of VPCs has been reached.")
        if operation == "CreateInternetGateway" and quotas["internet_gateways"] is not None:
            backend = self._ec2(region)
            if len(backend.internet_gateways) >= quotas["internet_gateways"]:
                return RealismError(
                    "InternetGatewayLimitExceeded", "The maximum number of internet gateways has been reached."
                )
        if operation == "CreateNatGateway" and quotas["nat_gateways_per_az"] is not None:
            backend = self._ec2(region)
            try:
                zone = backend.get_subnet(form.get("SubnetId")).availability_zone
            except Exception:  # noqa: BLE001 (moto answers the unknown subnet)
                return None
            count = 0
            for gateway in list(backend.nat_gateways.values()):
                if gateway.state in ("pending", "available", "deleting"):
                    try:
                        count += backend.get_subnet(gateway.subnet_id).availability_zone == zone
                    except Exception:  # noqa: BLE001
                        pass
            if count >= quotas["nat_gateways_per_az"]:
                return RealismError("NatGatewayLimitExceeded", "The maximum number of NAT gateways has been reached.")
        return None

    # ------------------------------------------------------------------ NAT gateways
    def _nat_rules(self, operation, region, form):
        backend = self._ec2(region)
        if operation in ("ReleaseAddress", "DisassociateAddress"):
            address = None
            for candidate in list(backend.addresses):
                if (
                    (form.get("AllocationId") and candidate.allocation_id == form["AllocationId"])
                    or (form.get("AssociationId") and candidate.association_id == form["AssociationId"])
                    or (form.get("PublicIp") and candidate.public_ip == form["PublicIp"])
                ):
                    address = candidate
            if address is None or ec2_ext.nat_gateway_of_address(backend, address) is None:
                return None
            if operation == "ReleaseAddress":
                return RealismError(
                    "InvalidIPAddress.InUse", f"Address {address.allocation_id or address.public_ip} is in use."
                )
            return RealismError("AuthFailure", "You do not have permission to access the specified resource.")
        if operation == "DetachInternetGateway":
            vpc_id = form.get("VpcId")
            for address in list(backend.addresses):
                if address.eni is not None and getattr(address.eni.subnet, "vpc_id", None) == vpc_id:
                    return RealismError(
                        "DependencyViolation",
                        f"Network {vpc_id} has some mapped public address(es). Please unmap those public"
                        " address(es) before detaching the gateway.",
                    )
        return None

    def _nat_created(self, backend, gateway):
        with self.lock:
            self._nat_created_locked(backend, gateway)

    def _nat_created_locked(self, backend, gateway):
        nat = self.settings["nat_gateway"]
        if not nat:
            return
        attached = any(
            igw.vpc is not None and igw.vpc.id == gateway.vpc_id for igw in list(backend.internet_gateways.values())
        )
        gateway.state = "pending"
        due = time.time() + self._scaled(nat["create"])
        if attached or gateway.connectivity_type == "private":

            def available():
                if gateway.state == "pending":
                    gateway.state = "available"

            self._at(due, available)
            return

        def failed():
            if gateway.state == "pending":
                gateway.state = "failed"
                gateway.failure_code = "Gateway.NotAttached"
                gateway.failure_message = f"Network {gateway.vpc_id} has no Internet gateway attached"
                ec2_ext.release_nat_gateway(backend, gateway)

        self._at(due, failed)

    def _nat_deleting(self, backend, gateway):
        """True when the realism control handles the deletion (deleting -> deleted over time)."""
        with self.lock:
            return self._nat_deleting_locked(backend, gateway)

    def _nat_deleting_locked(self, backend, gateway):
        nat = self.settings["nat_gateway"]
        if not nat:
            return False
        if gateway.state in ("deleting",):
            return True
        if gateway.state == "failed":
            gateway.state = "deleted"
            return True
        gateway.state = "deleting"

        def deleted():
            if gateway.state == "deleting":
                from moto.core.utils import iso_8601_datetime_with_milliseconds
                from moto.core.utils import utcnow

                gateway.state = "deleted"
                gateway.delete_time = iso_8601_datetime_with_milliseconds(utcnow())
                ec2_ext.release_nat_gateway(backend, gateway)

        self._at(time.time() + self._scaled(nat["delete"]), deleted)
        return True

    # ------------------------------------------------------------------ lingering network interfaces (EKS hooks)
    def nodegroup_deleted(self, region, cluster, nodegroup):
        """The VPC CNI's interfaces of the deleted node group's instances stay `available` for eni_linger."""
        with self.lock:
            self._nodegroup_deleted(region, cluster, nodegroup)

    def _nodegroup_deleted(self, region, cluster, nodegroup):
        linger = self.settings["eni_linger"]
        if not linger:
            return
        backend = self._ec2(region)
        groups = [g for g in [cluster["resourcesVpcConfig"].get("clusterSecurityGroupId")] if g]
        enis = []
        for subnet_id in nodegroup.get("subnets") or []:
            try:
                subnet = backend.get_subnet(subnet_id)
            except Exception:  # noqa: BLE001
                continue
            instance = f"i-{secrets.token_hex(9)[:17]}"
            eni = backend.create_network_interface(
                subnet,
                ec2_ext_private_ip(subnet),
                group_ids=groups,
                description=f"aws-K8S-{instance}",
                tags={
                    "cluster.k8s.amazonaws.com/name": cluster["name"],
                    "node.k8s.amazonaws.com/instance_id": instance,
                    "node.k8s.amazonaws.com/createdAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                },
            )
            enis.append(eni.id)
        self._expire_enis(region, enis, linger)

    def cluster_deleted(self, region, cluster):
        """EKS's "Amazon EKS CLUSTER" interfaces stay for eni_linger, with the cluster security group (which goes
        when they do)."""
        with self.lock:
            self._cluster_deleted(region, cluster)

    def _cluster_deleted(self, region, cluster):
        linger = self.settings["eni_linger"]
        if not linger:
            return False
        backend = self._ec2(region)
        vpc = cluster["resourcesVpcConfig"]
        groups = [g for g in [vpc.get("clusterSecurityGroupId")] + list(vpc.get("securityGroupIds") or []) if g]
        enis = []
        for subnet_id in (vpc.get("subnetIds") or [])[:2]:
            try:
                subnet = backend.get_subnet(subnet_id)
            except Exception:  # noqa: BLE001
                continue
            eni = backend.create_network_interface(
                subnet, ec2_ext_private_ip(subnet), group_ids=groups, description=f"Amazon EKS {cluster['name']}"
            )
            enis.append(eni.id)
        self._expire_enis(region, enis, linger)

    def _expire_enis(self, region, eni_ids, linger):
        backend = self._ec2(region)

        def expire():
            for eni_id in eni_ids:
                backend.enis.pop(eni_id, None)

        self._at(time.time() + self._scaled(linger), expire)

    def delete_security_group(self, region, group_id):
        """Delete now, or as soon as nothing depends on it any more (EKS deletes its groups when it can)."""
        with self.lock:
            try:
                self._ec2(region).delete_security_group(group_id=group_id)
            except Exception as exc:  # noqa: BLE001
                if "DependencyViolation" in repr(exc) or "dependent object" in str(exc):
                    self.sg_to_delete.append((region, group_id))

    def _retry_security_group_deletes(self):
        waiting, self.sg_to_delete = self.sg_to_delete, []
        for region, group_id in waiting:
            try:
                self._ec2(region).delete_security_group(group_id=group_id)
            except Exception as exc:  # noqa: BLE001
                if "dependent object" in str(exc) or "DependencyViolation" in repr(exc):
                    self.sg_to_delete.append((region, group_id))

    # ------------------------------------------------------------------ simulated Kubernetes load balancers
    def create_load_balancer(self, payload, eks):
        cluster_name, kind = payload.get("cluster"), payload.get("kind", "service")
        if not cluster_name:
            raise ControlError("cluster (the cluster name) is required")
        if kind not in ("service", "alb"):
            raise ControlError("kind must be 'service' (a Service of type LoadBalancer: an NLB) or 'alb'")
        with eks.lock:
            clusters = [c for (_r, n), c in eks.clusters.items() if n == cluster_name]
        if not clusters:
            raise ControlError(f"no cluster named {cluster_name!r}")
        cluster = clusters[0]
        region, vpc = cluster["_region"], cluster["resourcesVpcConfig"]
        if not vpc.get("vpcId"):
            raise ControlError(f"cluster {cluster_name!r} has no VPC in EC2 (created with strict off)")
        suffix = secrets.token_hex(5)
        name = payload.get("name") or f"k8s-{cluster_name[:8]}-{'svc' if kind == 'service' else 'ing'}-{suffix}"
        if not re.match(r"^[A-Za-z0-9-]{1,32}$", name):
            raise ControlError("name must be 1 to 32 letters, digits and hyphens")
        with self.lock:
            if name in self.load_balancers:
                raise ControlError(f"a load balancer named {name!r} exists")
            backend = self._ec2(region)
            subnets = self._elb_subnets(backend, vpc)
            owned = {f"kubernetes.io/cluster/{cluster_name}": "owned"}
            if kind == "alb":
                owned["elbv2.k8s.aws/cluster"] = cluster_name
                owned["ingress.k8s.aws/stack"] = f"default/{name}"
            else:
                owned["service.k8s.aws/stack"] = f"default/{name}"
            group = backend.create_security_group(
                f"k8s-{name}"[:255],
                "[k8s] Managed SecurityGroup for LoadBalancer",
                vpc_id=vpc["vpcId"],
                tags=dict(owned),
            )
            backend.authorize_security_group_ingress(
                group.id, "tcp", "80", "80", [{"CidrIp": "0.0.0.0/0"}], vpc_id=vpc["vpcId"]
            )
            from moto.elbv2.models import elbv2_backends

            lb = elbv2_backends[self.account][region].create_load_balancer(
                name=name,
                security_groups=[group.id],
                subnet_ids=[s.id for s in subnets],
                scheme="internet-facing",
                loadbalancer_type="network" if kind == "service" else "application",
                tags=[{"Key": k, "Value": v} for k, v in owned.items()],
            )
            lb_id = lb.arn.rsplit("/", 1)[-1]
            prefix = "net" if kind == "service" else "app"
            enis = []
            for subnet in subnets:
                eni = backend.create_network_interface(
                    subnet,
                    ec2_ext_private_ip(subnet),
                    group_ids=[group.id],
                    description=f"ELB {prefix}/{name}/{lb_id}",
                )
                eni.status = "in-use"
                enis.append(eni.id)
            cluster_group = vpc.get("clusterSecurityGroupId")
            if cluster_group:
                backend.authorize_security_group_ingress(
                    cluster_group, "tcp", "0", "65535", [], source_groups=[{"GroupId": group.id}], vpc_id=vpc["vpcId"]
                )
            record = {
                "name": name,
                "kind": kind,
                "type": "network" if kind == "service" else "application",
                "cluster": cluster_name,
                "region": region,
                "vpc_id": vpc["vpcId"],
                "load_balancer_arn": lb.arn,
                "dns_name": lb.dns_name,
                "security_group_id": group.id,
                "subnet_ids": [s.id for s in subnets],
                "network_interface_ids": enis,
                "cluster_security_group_id": cluster_group,
                "tags": owned,
            }
            self.load_balancers[name] = record
            return dict(record)

    def _elb_subnets(self, backend, vpc):
        tagged = [
            s
            for s in backend.describe_subnets(filters={"vpc-id": vpc["vpcId"]})
            if any(t["key"] == "kubernetes.io/role/elb" and t["value"] == "1" for t in s.get_tags())
        ]
        if not tagged:
            tagged = [backend.get_subnet(s) for s in vpc.get("subnetIds") or []]
        by_zone = {}
        for subnet in tagged:
            by_zone.setdefault(subnet.availability_zone, subnet)
        return list(by_zone.values())

    def list_load_balancers(self):
        from moto.elbv2.models import elbv2_backends

        with self.lock:
            out = []
            for record in self.load_balancers.values():
                item = dict(record)
                try:
                    item["exists"] = (
                        record["load_balancer_arn"] in elbv2_backends[self.account][record["region"]].load_balancers
                    )
                except Exception:  # noqa: BLE001
                    item["exists"] = False
                out.append(item)
            return {"load_balancers": out}

    def delete_load_balancer(self, payload):
        """What the Kubernetes controllers do when the Service / Ingress goes: LB, interfaces, rule, group."""
        from moto.elbv2.models import elbv2_backends

        name = payload.get("name")
        with self.lock:
            record = self.load_balancers.get(name)
            if record is None:
                raise ControlError(f"no simulated load balancer named {name!r}")
            backend = self._ec2(record["region"])
            elbv2_backends[self.account][record["region"]].load_balancers.pop(record["load_balancer_arn"], None)
            self._load_balancer_gone(record["region"], record["load_balancer_arn"])
            if record["cluster_security_group_id"]:
                try:
                    backend.revoke_security_group_ingress(
                        record["cluster_security_group_id"],
                        "tcp",
                        "0",
                        "65535",
                        [],
                        source_groups=[{"GroupId": record["security_group_id"]}],
                        vpc_id=record["vpc_id"],
                    )
                except Exception:  # noqa: BLE001 (already revoked)
                    pass
            try:
                backend.delete_security_group(group_id=record["security_group_id"])
            except Exception:  # noqa: BLE001 (already deleted)
                pass
            del self.load_balancers[name]
            return {"deleted": name}

    def _load_balancer_gone(self, region, arn_or_name):
        """The load balancer was deleted: its network interfaces go with it."""
        for record in self.load_balancers.values():
            if arn_or_name in (record["load_balancer_arn"], record["name"]) and record["region"] == region:
                backend = self._ec2(region)
                for eni_id in record["network_interface_ids"]:
                    backend.enis.pop(eni_id, None)


def ec2_ext_private_ip(subnet):
    from moto.ec2.utils import random_private_ip

    return random_private_ip(subnet.cidr_block)


def _form(body, environ):
    text = body.decode("utf-8", "replace") if body else ""
    if not text or not environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        text = environ.get("QUERY_STRING", "")
    return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}


def _issuer_key(url):
    return url.split("://", 1)[-1].rstrip("/")


def _token_issuer(token):
    try:
        part = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
        return claims.get("iss")
    except Exception:  # noqa: BLE001 (not a JWT: any provider in its window answers)
        return None
