"""The EKS API of the local endpoint, in place of moto's EKS backend.

State lives in memory, one lock around it. Transitions (CREATING, UPDATING, DELETING, update InProgress)
are events with a due time, applied lazily before each request in due-time order, so that what a client
sees depends only on the configured delays and the clock, never on a background thread.

EC2, IAM and KMS are moto's: the cluster security group and the remote-access security group are created
in moto's EC2 backend, and subnets, security groups, roles, launch templates, key pairs and KMS keys named
in requests are looked up there (unless the "strict" control is off).
"""

from __future__ import annotations

import base64
import copy
import heapq
import itertools
import json
import re
import secrets
import string
import threading
import time
import uuid
from urllib.parse import parse_qs

try:
    from . import catalogue
    from .controls import match_rest
    from .controls import raw_path
except ImportError:  # imported as a top-level module
    import catalogue
    from controls import match_rest
    from controls import raw_path

LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
AUTH_MODES = ["CONFIG_MAP", "API_AND_CONFIG_MAP", "API"]
ACCESS_POLICIES = [
    "AmazonEKSAdminPolicy",
    "AmazonEKSAdminViewPolicy",
    "AmazonEKSAutoNodePolicy",
    "AmazonEKSBlockStorageClusterPolicy",
    "AmazonEKSClusterAdminPolicy",
    "AmazonEKSComputeClusterPolicy",
    "AmazonEKSEditPolicy",
    "AmazonEKSHybridPolicy",
    "AmazonEKSLoadBalancingClusterPolicy",
    "AmazonEKSNetworkingClusterPolicy",
    "AmazonEKSViewPolicy",
]
ACCESS_POLICY_ARN = "arn:aws:eks::aws:cluster-access-policy/"
ERROR_STATUS = {
    "ResourceNotFoundException": 404,
    "NotFoundException": 404,
    "ResourceInUseException": 409,
    "InvalidParameterException": 400,
    "InvalidRequestException": 400,
    "BadRequestException": 400,
    "ResourceLimitExceededException": 400,
    "UnsupportedAvailabilityZoneException": 400,
    "ClientException": 400,
    "ServerException": 500,
}
DEFAULT_HEALTH = {
    "cluster": {
        "code": "InsufficientFreeAddresses",
        "message": "One or more of the subnets specified for the cluster does not have enough available IP addresses.",
    },
    "nodegroup": {"code": "NodeCreationFailure", "message": "Instances failed to join the kubernetes cluster"},
    "addon_failed": {
        "code": "ConfigurationConflict",
        "message": "Conflicts found when trying to apply. Will not continue due to resolve conflicts mode.",
    },
    "addon_degraded": {
        "code": "InsufficientNumberOfReplicas",
        "message": "The add-on is unhealthy because it doesn't have the desired number of replicas.",
    },
}


class ApiError(Exception):
    def __init__(self, code, message, **fields):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = ERROR_STATUS.get(code, 400)
        self.fields = fields


def _invalid(message, **fields):
    return ApiError("InvalidParameterException", message, **fields)


def _public(record):
    """The API view of a record: private keys (leading underscore) dropped, deep-copied."""
    if isinstance(record, dict):
        return {k: _public(v) for k, v in record.items() if not k.startswith("_")}
    if isinstance(record, list):
        return [_public(v) for v in record]
    return record


def _hex(n=32):
    return secrets.token_hex(n // 2).upper()


def _now():
    return round(time.time(), 3)


class Eks:
    def __init__(self, controls, account_id):
        self.controls = controls
        self.account = account_id
        self.lock = threading.RLock()
        self.reset()

    def reset(self):
        with self.lock:
            self.clusters = {}  # (region, name) -> cluster record
            self.updates = {}  # id -> update record
            self.events = []
            self.seq = itertools.count()

    # ================================================================== transitions
    def _schedule(self, resource, kind, fn):
        """Run fn(t) when the resource's transition of this kind ends; one pending transition per resource."""
        due = time.time() + self.controls.delay(kind)

        def fire(t):
            if resource.get("_pending") is not fire:
                return
            resource["_pending"] = None
            fn(round(t, 3))

        resource["_pending"] = fire
        heapq.heappush(self.events, (due, next(self.seq), fire))

    def settle(self, now=None):
        with self.lock:
            now = time.time() if now is None else now
            while self.events and self.events[0][0] <= now:
                due, _seq, fire = heapq.heappop(self.events)
                fire(due)
            for cluster in list(self.clusters.values()):
                self._refresh_addon_health(cluster)

    def _refresh_addon_health(self, cluster):
        has_nodes = any(
            ng["status"] in ("ACTIVE", "UPDATING") and ng["scalingConfig"].get("desiredSize", 0) > 0
            for ng in cluster["_nodegroups"].values()
        )
        for addon in cluster["_addons"].values():
            if addon["addonName"] != "coredns" or addon.get("_sticky") or addon["status"] not in ("ACTIVE", "DEGRADED"):
                continue
            if has_nodes:
                addon["status"], addon["health"] = "ACTIVE", {"issues": []}
            else:
                addon["status"] = "DEGRADED"
                addon["health"] = {"issues": [dict(DEFAULT_HEALTH["addon_degraded"], resourceIds=["coredns"])]}

    def apply_injection_now(self, injection):
        """An injection with "now": end the resource's current transition at once, or fail it in place."""
        with self.lock:
            self.settle()
            region_clusters = [c for (r, n), c in self.clusters.items() if n == injection["cluster"]]
            if not region_clusters:
                return False
            cluster = region_clusters[0]
            kind = injection["kind"]
            if kind == "cluster":
                resource = cluster
            elif kind == "nodegroup":
                resource = cluster["_nodegroups"].get(injection["name"])
            elif kind == "addon":
                resource = cluster["_addons"].get(injection["name"])
            else:
                resource = None
                for upd in self.updates.values():
                    if upd["_cluster"] is cluster and upd["status"] == "InProgress":
                        if injection["update_id"] and upd["id"] != injection["update_id"]:
                            continue
                        if not injection["update_id"] and (
                            upd.get("_nodegroup") != injection["nodegroup"] or upd.get("_addon") != injection["addon"]
                        ):
                            continue
                        resource = upd["_owner"]
                if resource is None:
                    return False
            if resource is None:
                return False
            if resource.get("_pending"):
                resource["_pending"](time.time())
                return True
            if kind == "update":
                return False
            # No transition under way: the resource fails where it stands.
            taken = self.controls.take_injection(kind, cluster["name"], injection["name"])
            if kind == "cluster":
                self._fail_cluster(cluster, taken, "FAILED")
            elif kind == "nodegroup":
                self._fail_nodegroup(resource, taken, "DEGRADED")
            else:
                self._fail_addon(resource, taken, "DEGRADED")
            return True

    def _fail_cluster(self, cluster, injection, default_status):
        cluster["status"] = injection.get("status") or default_status
        cluster["health"] = {"issues": injection.get("health_issues") or [dict(DEFAULT_HEALTH["cluster"])]}

    def _fail_nodegroup(self, ng, injection, default_status):
        ng["status"] = injection.get("status") or default_status
        default = dict(DEFAULT_HEALTH["nodegroup"], resourceIds=[f"i-{secrets.token_hex(8)}"])
        ng["health"] = {"issues": injection.get("health_issues") or [default]}
        ng["modifiedAt"] = _now()

    def _fail_addon(self, addon, injection, default_status):
        status = injection.get("status") or default_status
        addon["status"] = status
        key = "addon_degraded" if status == "DEGRADED" else "addon_failed"
        addon["health"] = {"issues": injection.get("health_issues") or [dict(DEFAULT_HEALTH[key])]}
        addon["modifiedAt"] = _now()
        addon["_sticky"] = True

    # ================================================================== dispatch
    def handle(self, environ, body, region):
        """(HTTP status, JSON-able body, operation name) for one EKS request."""
        method = environ.get("REQUEST_METHOD", "GET")
        operation, labels = match_rest("eks", method, raw_path(environ))
        if operation is None:
            err = ApiError("InvalidRequestException", f"No EKS operation matches {method} {environ.get('PATH_INFO')}")
            return err.status, _error_body(err), None
        handler = getattr(self, "op_" + operation, None)
        if handler is None:
            err = ApiError("InvalidRequestException", f"{operation} is not implemented by the local AWS endpoint")
            return err.status, _error_body(err), operation
        try:
            params = _request_params(operation, labels, environ.get("QUERY_STRING", ""), body)
            with self.lock:
                self.settle()
                result = handler(region, params)
                self._refresh_all()
            self._check_shape(operation, result)
            return 200, result, operation
        except ApiError as err:
            return err.status, _error_body(err), operation
        except Exception as exc:  # noqa: BLE001 (a bug of the endpoint: report it, keep serving)
            import traceback

            text = traceback.format_exc()
            self.controls.problem(f"{operation}: {exc!r}\n{text}")
            print(f"local AWS endpoint: {operation} failed:\n{text}", flush=True)
            err = ApiError("ServerException", f"The local AWS endpoint failed on {operation}: {exc!r}")
            return err.status, _error_body(err), operation

    def _check_shape(self, operation, result):
        """Record (never raise) a response that does not follow botocore's output shape: GET /_aews/problems."""
        from botocore.validate import ParamValidator

        report = ParamValidator().validate(result, _eks_model().operation_model(operation).output_shape)
        if report.has_errors():
            problem = f"{operation}: {report.generate_report()}"
            self.controls.problem(problem)
            print(f"local AWS endpoint: response off its shape: {problem}", flush=True)

    def _refresh_all(self):
        for cluster in self.clusters.values():
            self._refresh_addon_health(cluster)

    # ================================================================== lookups and checks
    def _cluster(self, region, name):
        cluster = self.clusters.get((region, name))
        if cluster is None:
            raise ApiError("ResourceNotFoundException", f"No cluster found for name: {name}.", clusterName=name)
        return cluster

    def _nodegroup(self, cluster, name):
        ng = cluster["_nodegroups"].get(name)
        if ng is None:
            raise ApiError(
                "ResourceNotFoundException",
                f"No node group found for name: {name}.",
                clusterName=cluster["name"],
                nodegroupName=name,
            )
        return ng

    def _addon(self, cluster, name):
        addon = cluster["_addons"].get(name)
        if addon is None:
            raise ApiError(
                "ResourceNotFoundException",
                f"No addon: {name} found in cluster: {cluster['name']}",
                clusterName=cluster["name"],
                addonName=name,
            )
        return addon

    def _require_active(self, cluster):
        if cluster["status"] != "ACTIVE":
            raise ApiError(
                (
                    "ResourceInUseException"
                    if cluster["status"] in ("UPDATING", "CREATING")
                    else "InvalidRequestException"
                ),
                f"Cluster {cluster['name']} is in {cluster['status']} status; the operation needs it ACTIVE.",
                clusterName=cluster["name"],
            )

    def _no_update_in_progress(self, owner, what):
        for update_id in owner["_updates"]:
            if self.updates[update_id]["status"] == "InProgress":
                raise ApiError("ResourceInUseException", f"An update is already in progress for {what}: {update_id}")

    def _ec2(self, region):
        from moto.ec2.models import ec2_backends

        return ec2_backends[self.account][region]

    def _strict(self):
        return self.controls.config()["strict"]

    def _check_role(self, arn, field):
        if not isinstance(arn, str) or not re.match(r"^arn:aws[a-z-]*:iam::\d{12}:role/.+", arn):
            raise _invalid(f"{field} {arn!r} is not a valid IAM role ARN.")
        if not self._strict():
            return
        from moto.iam.models import iam_backends

        try:
            iam_backends[self.account]["global"].get_role_by_arn(arn)
        except Exception:
            raise _invalid(f"Role with ARN {arn} does not exist ({field}).") from None

    def _subnets(self, region, subnet_ids, field="subnetIds"):
        """[(id, vpc_id, az, cidr)] of subnets that exist in EC2 (all of them when not strict)."""
        found = []
        ec2 = self._ec2(region)
        for subnet_id in subnet_ids:
            try:
                subnet = ec2.get_subnet(subnet_id)
            except Exception:
                if self._strict():
                    raise _invalid(f"The subnet ID '{subnet_id}' does not exist ({field}).") from None
                continue
            found.append((subnet.id, subnet.vpc_id, subnet.availability_zone, subnet.cidr_block))
        return found

    def _check_security_groups(self, region, group_ids, vpc_id=None):
        if not self._strict():
            return
        ec2 = self._ec2(region)
        for group_id in group_ids:
            group = ec2.get_security_group_from_id(group_id)
            if group is None:
                raise _invalid(f"The security group '{group_id}' does not exist.")
            if vpc_id and group.vpc_id != vpc_id:
                raise _invalid(f"The security group '{group_id}' is not in the cluster's VPC {vpc_id}.")

    def _create_security_group(self, region, name, description, vpc_id, tags, self_ingress=False, ssh_from=None):
        ec2 = self._ec2(region)
        group = ec2.create_security_group(name, description, vpc_id=vpc_id, tags=tags)
        if self_ingress:
            # The cluster security group lets everything in from itself, as EKS makes it.
            ec2.authorize_security_group_ingress(
                group.id, "-1", None, None, [], source_groups=[{"GroupId": group.id}], vpc_id=vpc_id
            )
        if ssh_from is not None:
            sources = [{"GroupId": g} for g in ssh_from]
            ec2.authorize_security_group_ingress(
                group.id,
                "tcp",
                "22",
                "22",
                [] if sources else [{"CidrIp": "0.0.0.0/0"}],
                source_groups=sources or None,
                vpc_id=vpc_id,
            )
        return group.id

    def _delete_security_group(self, region, group_id):
        if not group_id:
            return
        realism = self.controls.realism
        if realism is not None:
            realism.delete_security_group(region, group_id)  # now, or when its network interfaces are gone
            return
        try:
            self._ec2(region).delete_security_group(group_id=group_id)
        except Exception:
            pass  # something still refers to it, or it is already gone: EKS leaves it too

    def _vpc_of(self, region, subnet_ids):
        subnets = self._subnets(region, subnet_ids)
        vpcs = {s[1] for s in subnets}
        if len(vpcs) > 1:
            raise _invalid(f"Subnets {', '.join(subnet_ids)} are not all in the same VPC.")
        if subnets:
            return subnets[0][1], subnets
        # Not strict and the subnets are unknown: the default VPC stands in.
        for vpc in self._ec2(region).describe_vpcs():
            if vpc.is_default:
                return vpc.id, subnets
        return None, subnets

    def _validate_tags(self, tags):
        if tags is None:
            return
        if not isinstance(tags, dict) or len(tags) > 50:
            raise ApiError("BadRequestException", "Tags must be a map of at most 50 keys.")
        for key, value in tags.items():
            if not key or len(key) > 128 or len(str(value)) > 256:
                raise ApiError("BadRequestException", f"Tag {key!r} has an invalid key or value length.")
            if key.lower().startswith("aws:"):
                raise ApiError("BadRequestException", f"Tag keys starting with 'aws:' are reserved: {key}")

    def _arn(self, region, kind, *parts):
        return f"arn:aws:eks:{region}:{self.account}:{kind}/" + "/".join(parts)

    def _new_update(self, owner, cluster, update_type, params, nodegroup=None, addon=None):
        update = {
            "id": str(uuid.uuid4()),
            "status": "InProgress",
            "type": update_type,
            "params": [{"type": k, "value": v} for k, v in params],
            "createdAt": _now(),
            "errors": [],
            "_cluster": cluster,
            "_owner": owner,
            "_nodegroup": nodegroup,
            "_addon": addon,
        }
        self.updates[update["id"]] = update
        owner["_updates"].append(update["id"])
        return update

    def _finish_update(self, update, resource_kind, resource_name, apply, resource, ok_status, fail):
        """End an update: injected update failure, injected resource failure, or success (apply the change)."""
        cluster = update["_cluster"]
        upd_inj = self.controls.take_injection("update", cluster["name"], update=update)
        res_inj = self.controls.take_injection(resource_kind, cluster["name"], resource_name)
        if res_inj:
            fail(res_inj)
            update["status"] = "Failed"
            update["errors"] = [
                {"errorCode": "Unknown", "errorMessage": i.get("message", ""), "resourceIds": i.get("resourceIds", [])}
                for i in resource["health"]["issues"]
            ]
            if upd_inj and upd_inj.get("errors"):
                update["errors"] = upd_inj["errors"]
            return
        if upd_inj:
            update["status"] = upd_inj.get("status") or "Failed"
            update["errors"] = upd_inj.get("errors") or [self._default_update_error(update)]
            resource["status"] = ok_status(resource)
            return
        apply()
        update["status"] = "Successful"
        resource["status"] = ok_status(resource)

    def _default_update_error(self, update):
        if update["_nodegroup"]:
            return {
                "errorCode": "NodeCreationFailure",
                "errorMessage": "Instances failed to join the kubernetes cluster",
                "resourceIds": [f"i-{secrets.token_hex(8)}"],
            }
        if update["_addon"]:
            return {"errorCode": "ConfigurationConflict", "errorMessage": DEFAULT_HEALTH["addon_failed"]["message"]}
        return {"errorCode": "Unknown", "errorMessage": "The update failed."}

    # ================================================================== clusters
    def op_CreateCluster(self, region, p):
        name = p["name"]
        if not re.match(r"^[0-9A-Za-z][A-Za-z0-9\-_]*$", name) or len(name) > 100:
            raise _invalid(f"The cluster name {name!r} is not valid: up to 100 letters, digits, - and _.")
        if (region, name) in self.clusters:
            raise ApiError("ResourceInUseException", f"Cluster already exists with name: {name}", clusterName=name)
        version = p.get("version") or catalogue.DEFAULT_CLUSTER_VERSION
        if version not in catalogue.CLUSTER_VERSIONS:
            raise _invalid(f"unsupported Kubernetes version {version}", clusterName=name)
        self._check_role(p["roleArn"], "roleArn")
        vpc_req = p.get("resourcesVpcConfig") or {}
        subnet_ids = list(vpc_req.get("subnetIds") or [])
        if not subnet_ids:
            raise _invalid("Subnets are required: resourcesVpcConfig.subnetIds is empty.", clusterName=name)
        vpc_id, subnets = self._vpc_of(region, subnet_ids)
        if self._strict() and len({s[2] for s in subnets}) < 2:
            raise _invalid("Subnets specified must be in at least two different AZs", clusterName=name)
        sg_ids = list(vpc_req.get("securityGroupIds") or [])
        self._check_security_groups(region, sg_ids, vpc_id)
        public = vpc_req.get("endpointPublicAccess", True)
        private = vpc_req.get("endpointPrivateAccess", False)
        if not public and not private:
            raise _invalid("The cluster endpoint must be accessible publicly, privately, or both.")
        cidrs = list(vpc_req.get("publicAccessCidrs") or ["0.0.0.0/0"])
        knc_req = p.get("kubernetesNetworkConfig") or {}
        ip_family = knc_req.get("ipFamily", "ipv4")
        knc = {"ipFamily": ip_family, "elasticLoadBalancing": {"enabled": False}}
        if ip_family == "ipv6":
            knc["serviceIpv6Cidr"] = f"fd{secrets.token_hex(1)}:{secrets.token_hex(2)}:{secrets.token_hex(2)}::/108"
        else:
            knc["serviceIpv4Cidr"] = knc_req.get("serviceIpv4Cidr") or self._default_service_cidr(region, vpc_id)
        if "elasticLoadBalancing" in knc_req:
            knc["elasticLoadBalancing"] = knc_req["elasticLoadBalancing"]
        access = p.get("accessConfig") or {}
        mode = access.get("authenticationMode", "CONFIG_MAP")
        if mode not in AUTH_MODES:
            raise _invalid(f"authenticationMode must be one of {', '.join(AUTH_MODES)}")
        bootstrap_admin = access.get("bootstrapClusterCreatorAdminPermissions", True)
        encryption = p.get("encryptionConfig")
        if encryption:
            self._check_encryption(region, encryption)
        self._validate_tags(p.get("tags"))
        now = _now()
        cluster_sg = None
        if vpc_id:
            sg_name = f"eks-cluster-sg-{name}-{secrets.randbelow(10**10):010d}"
            cluster_sg = self._create_security_group(
                region,
                sg_name,
                "EKS created security group applied to ENI that is attached to EKS Control Plane master nodes,"
                " as well as any managed workloads.",
                vpc_id,
                {"Name": sg_name, f"kubernetes.io/cluster/{name}": "owned", "aws:eks:cluster-name": name},
                self_ingress=True,
            )
        cluster = {
            "name": name,
            "arn": self._arn(region, "cluster", name),
            "createdAt": now,
            "version": version,
            "roleArn": p["roleArn"],
            "resourcesVpcConfig": {
                "subnetIds": subnet_ids,
                "securityGroupIds": sg_ids,
                "clusterSecurityGroupId": cluster_sg,
                "vpcId": vpc_id,
                "endpointPublicAccess": public,
                "endpointPrivateAccess": private,
                "publicAccessCidrs": cidrs,
            },
            "kubernetesNetworkConfig": knc,
            "logging": {"clusterLogging": _logging_out(_enabled_log_types(p.get("logging"), set()))},
            "status": "CREATING",
            "platformVersion": catalogue.platform_version(version),
            "tags": dict(p.get("tags") or {}),
            "health": {"issues": []},
            "accessConfig": {"bootstrapClusterCreatorAdminPermissions": bootstrap_admin, "authenticationMode": mode},
            "upgradePolicy": {"supportType": (p.get("upgradePolicy") or {}).get("supportType", "EXTENDED")},
            "_region": region,
            "_nodegroups": {},
            "_addons": {},
            "_access_entries": {},
            "_pod_identity": {},
            "_fargate": {},
            "_idp": {},
            "_updates": [],
            "_bootstrap_self_managed_addons": p.get("bootstrapSelfManagedAddons", True),
            "_issuer_id": _hex(32),
            "_endpoint_id": _hex(32),
        }
        if cluster_sg is None:
            del cluster["resourcesVpcConfig"]["clusterSecurityGroupId"]
            del cluster["resourcesVpcConfig"]["vpcId"]
        if p.get("clientRequestToken"):
            cluster["clientRequestToken"] = p["clientRequestToken"]
        if encryption:
            cluster["encryptionConfig"] = copy.deepcopy(encryption)
        for key in (
            "zonalShiftConfig",
            "remoteNetworkConfig",
            "computeConfig",
            "storageConfig",
            "deletionProtection",
            "controlPlaneScalingConfig",
            "outpostConfig",
        ):
            if key in p:
                cluster[key] = copy.deepcopy(p[key])
        if "outpostConfig" in cluster:
            cluster["id"] = str(uuid.uuid4())
        self.clusters[(region, name)] = cluster
        if bootstrap_admin and mode != "CONFIG_MAP":
            self._add_access_entry(
                cluster,
                f"arn:aws:iam::{self.account}:user/moto",
                "STANDARD",
                [],
                None,
                {},
                policies=[(ACCESS_POLICY_ARN + "AmazonEKSClusterAdminPolicy", {"type": "cluster"})],
            )

        def created(t):
            injection = self.controls.take_injection("cluster", name)
            if injection:
                self._fail_cluster(cluster, injection, "FAILED")
                return
            cluster["status"] = "ACTIVE"
            self._publish_endpoint(cluster)

        self._schedule(cluster, "cluster", created)
        return {"cluster": self._cluster_out(cluster)}

    def _default_service_cidr(self, region, vpc_id):
        # EKS picks 10.100.0.0/16, or 172.20.0.0/16 when the VPC itself is in 10.0.0.0/8.
        try:
            cidr = self._ec2(region).get_vpc(vpc_id).cidr_block
        except Exception:
            cidr = ""
        return "172.20.0.0/16" if cidr.startswith("10.") else "10.100.0.0/16"

    def _check_encryption(self, region, encryption):
        for item in encryption:
            if item.get("resources") != ["secrets"]:
                raise _invalid("Encryption resources must be exactly ['secrets'].")
            key_arn = (item.get("provider") or {}).get("keyArn")
            if not key_arn:
                raise _invalid("encryptionConfig provider.keyArn is required.")
            if self._strict():
                from moto.kms.models import kms_backends

                try:
                    kms_backends[self.account][region].describe_key(key_arn)
                except Exception:
                    raise _invalid(f"KMS key {key_arn} does not exist.") from None

    def _publish_endpoint(self, cluster):
        region = cluster["_region"]
        cluster["endpoint"] = f"https://{cluster['_endpoint_id']}.gr7.{region}.eks.amazonaws.com"
        cluster["certificateAuthority"] = {"data": _certificate(cluster["name"])}
        cluster["identity"] = {
            "oidc": {"issuer": f"https://oidc.eks.{region}.amazonaws.com/id/{cluster['_issuer_id']}"}
        }

    def _cluster_out(self, cluster):
        return _public(cluster)

    def op_DescribeCluster(self, region, p):
        return {"cluster": self._cluster_out(self._cluster(region, p["name"]))}

    def op_ListClusters(self, region, p):
        names = sorted(name for (r, name) in self.clusters if r == region)
        return _paginate(names, p, "clusters")

    def op_DeleteCluster(self, region, p):
        cluster = self._cluster(region, p["name"])
        if cluster.get("deletionProtection"):
            raise ApiError("InvalidRequestException", "Cluster has deletion protection enabled.")
        if cluster["_nodegroups"]:
            raise ApiError("ResourceInUseException", "Cluster has nodegroups attached", clusterName=cluster["name"])
        if cluster["_fargate"]:
            raise ApiError(
                "ResourceInUseException", "Cluster has fargate profiles attached", clusterName=cluster["name"]
            )
        self._no_update_in_progress(cluster, f"cluster {cluster['name']}")
        if cluster["status"] != "DELETING":
            cluster["status"] = "DELETING"
            for addon in cluster["_addons"].values():
                addon["status"] = "DELETING"
                addon["_pending"] = None  # a creation or update under way ends with the cluster

            def deleted(t):
                self.clusters.pop((region, cluster["name"]), None)
                for update_id in self._all_update_ids(cluster):
                    self.updates.pop(update_id, None)
                if self.controls.realism is not None:
                    self.controls.realism.cluster_deleted(region, cluster)  # its interfaces may linger
                self._delete_security_group(region, cluster["resourcesVpcConfig"].get("clusterSecurityGroupId"))

            self._schedule(cluster, "cluster", deleted)
        return {"cluster": self._cluster_out(cluster)}

    def _all_update_ids(self, cluster):
        ids = list(cluster["_updates"])
        for child in list(cluster["_nodegroups"].values()) + list(cluster["_addons"].values()):
            ids += child["_updates"]
        return ids

    def op_UpdateClusterConfig(self, region, p):
        cluster = self._cluster(region, p["name"])
        groups = [
            k
            for k in (
                "resourcesVpcConfig",
                "logging",
                "accessConfig",
                "upgradePolicy",
                "zonalShiftConfig",
                "remoteNetworkConfig",
                "deletionProtection",
                "controlPlaneScalingConfig",
                "kubeApiServerConfig",
                "kubeSchedulerConfig",
                "kubeControllerManagerConfig",
            )
            if k in p
        ]
        auto_mode = [k for k in ("computeConfig", "kubernetesNetworkConfig", "storageConfig") if k in p]
        if auto_mode:
            groups.append("computeConfig")
        if not groups:
            raise _invalid("No changes were requested.", clusterName=cluster["name"])
        if len(groups) > 1:
            raise _invalid("Only one type of update can be allowed.", clusterName=cluster["name"])
        self._require_active(cluster)
        self._no_update_in_progress(cluster, f"cluster {cluster['name']}")
        group = groups[0]
        if group == "resourcesVpcConfig":
            update_type, params, patch = self._vpc_update(region, cluster, p["resourcesVpcConfig"])
        elif group == "logging":
            current = _enabled_log_types(cluster["logging"], set())
            wanted = _enabled_log_types(p["logging"], set(current))
            if wanted == current:
                raise _invalid("No changes needed for the logging config provided", clusterName=cluster["name"])
            out = {"clusterLogging": _logging_out(wanted)}
            update_type, params = "LoggingUpdate", [("ClusterLogging", json.dumps(out["clusterLogging"]))]
            patch = {"logging": out}
        elif group == "accessConfig":
            current = cluster["accessConfig"]["authenticationMode"]
            wanted = p["accessConfig"].get("authenticationMode")
            if wanted not in AUTH_MODES:
                raise _invalid(f"authenticationMode must be one of {', '.join(AUTH_MODES)}")
            if wanted == current:
                raise _invalid(f"Cluster is already in authentication mode {current}.", clusterName=cluster["name"])
            if AUTH_MODES.index(wanted) != AUTH_MODES.index(current) + 1:
                raise _invalid(
                    f"Unsupported authentication mode update from {current} to {wanted}",
                    clusterName=cluster["name"],
                )
            update_type, params = "AccessConfigUpdate", [("AuthenticationMode", wanted)]
            patch = {"accessConfig": dict(cluster["accessConfig"], authenticationMode=wanted)}
        elif group == "upgradePolicy":
            wanted = p["upgradePolicy"].get("supportType")
            if wanted not in ("STANDARD", "EXTENDED"):
                raise _invalid("upgradePolicy.supportType must be STANDARD or EXTENDED.")
            if wanted == cluster["upgradePolicy"]["supportType"]:
                raise _invalid(f"Cluster already has support type {wanted}.", clusterName=cluster["name"])
            update_type, params = "UpgradePolicyUpdate", [("UpgradePolicy", wanted)]
            patch = {"upgradePolicy": {"supportType": wanted}}
        elif group == "deletionProtection":
            wanted = bool(p["deletionProtection"])
            update_type, params = "DeletionProtectionUpdate", [("DeletionProtection", json.dumps(wanted))]
            patch = {"deletionProtection": wanted}
        elif group == "zonalShiftConfig":
            update_type, params = "ZonalShiftConfigUpdate", [("ZonalShiftConfig", json.dumps(p["zonalShiftConfig"]))]
            patch = {"zonalShiftConfig": p["zonalShiftConfig"]}
        elif group == "remoteNetworkConfig":
            value = p["remoteNetworkConfig"]
            update_type, params = "RemoteNetworkConfigUpdate", [("RemoteNetworkConfig", json.dumps(value))]
            patch = {"remoteNetworkConfig": value}
        elif group == "controlPlaneScalingConfig":
            value = p["controlPlaneScalingConfig"]
            update_type, params = "ControlPlaneScalingConfigUpdate", [("UpdatedTier", value.get("tier", "standard"))]
            patch = {"controlPlaneScalingConfig": value}
        elif group in ("kubeApiServerConfig", "kubeSchedulerConfig", "kubeControllerManagerConfig"):
            update_type = "ControlPlaneComponentConfigUpdate"
            params = [(group[0].upper() + group[1:], json.dumps(p[group]))]
            patch = {group: p[group]}
        else:
            update_type, params, patch = "AutoModeUpdate", [], {}
            for key in auto_mode:
                params.append((key[0].upper() + key[1:], json.dumps(p[key])))
                if key == "kubernetesNetworkConfig":
                    patch[key] = dict(cluster["kubernetesNetworkConfig"], **p[key])
                else:
                    patch[key] = p[key]
        return {"update": self._start_cluster_update(cluster, update_type, params, patch)}

    def _vpc_update(self, region, cluster, req):
        current = cluster["resourcesVpcConfig"]
        merged = dict(current)
        for key in (
            "subnetIds",
            "securityGroupIds",
            "endpointPublicAccess",
            "endpointPrivateAccess",
            "publicAccessCidrs",
        ):
            if key in req:
                merged[key] = copy.deepcopy(req[key])
        if "controlPlaneEgressMode" in req:
            merged["controlPlaneEgressMode"] = req["controlPlaneEgressMode"]
        if not merged["endpointPublicAccess"] and not merged["endpointPrivateAccess"]:
            raise _invalid("The cluster endpoint must be accessible publicly, privately, or both.")
        if "subnetIds" in req or "securityGroupIds" in req:
            if "subnetIds" in req:
                vpc_id, _subnets = self._vpc_of(region, req["subnetIds"])
                if vpc_id and current.get("vpcId") and vpc_id != current["vpcId"]:
                    raise _invalid(f"Subnets must be in the cluster's VPC {current['vpcId']}.")
            self._check_security_groups(region, req.get("securityGroupIds") or [], current.get("vpcId"))
            if merged == current:
                raise _invalid("No changes needed for the VPC configuration provided", clusterName=cluster["name"])
            params = [
                ("Subnets", json.dumps(merged["subnetIds"])),
                ("SecurityGroups", json.dumps(merged["securityGroupIds"])),
            ]
            for key, label in (
                ("endpointPublicAccess", "EndpointPublicAccess"),
                ("endpointPrivateAccess", "EndpointPrivateAccess"),
                ("publicAccessCidrs", "PublicAccessCidrs"),
            ):
                if key in req:
                    params.append((label, json.dumps(merged[key])))
            return "VpcConfigUpdate", params, {"resourcesVpcConfig": merged}
        if "controlPlaneEgressMode" in req and len(req) == 1:
            if merged == current:
                raise _invalid("No changes needed for the VPC configuration provided", clusterName=cluster["name"])
            return (
                "ControlPlaneEgressUpdate",
                [("ControlPlaneEgressMode", req["controlPlaneEgressMode"])],
                {"resourcesVpcConfig": merged},
            )
        if merged == current:
            raise _invalid(
                "Cluster is already at the desired configuration with endpointPrivateAccess: "
                f"{json.dumps(current['endpointPrivateAccess'])} , endpointPublicAccess: "
                f"{json.dumps(current['endpointPublicAccess'])}, and Public Endpoint Restrictions: "
                f"[{', '.join(current['publicAccessCidrs'])}]",
                clusterName=cluster["name"],
            )
        params = [
            ("EndpointPublicAccess", json.dumps(merged["endpointPublicAccess"])),
            ("EndpointPrivateAccess", json.dumps(merged["endpointPrivateAccess"])),
            ("PublicAccessCidrs", json.dumps(merged["publicAccessCidrs"])),
        ]
        return "EndpointAccessUpdate", params, {"resourcesVpcConfig": merged}

    def _start_cluster_update(self, cluster, update_type, params, patch, after=None):
        update = self._new_update(cluster, cluster, update_type, params)
        cluster["status"] = "UPDATING"

        def apply():
            for key, value in patch.items():
                cluster[key] = copy.deepcopy(value)
            if after:
                after()

        def finished(t):
            self._finish_update(
                update,
                "cluster",
                None,
                apply,
                cluster,
                lambda c: "ACTIVE",
                lambda inj: self._fail_cluster(cluster, inj, "FAILED"),
            )

        self._schedule(cluster, "update", finished)
        return _public(update)

    def op_UpdateClusterVersion(self, region, p):
        cluster = self._cluster(region, p["name"])
        version = p["version"]
        current = cluster["version"]
        if version == current:
            raise _invalid(f"Cluster is already at the desired version {version}", clusterName=cluster["name"])
        if version not in catalogue.CLUSTER_VERSIONS or catalogue.minor(version) != (
            catalogue.minor(current)[0],
            catalogue.minor(current)[1] + 1,
        ):
            raise _invalid(
                f"Unsupported Kubernetes minor version update from {current} to {version}", clusterName=cluster["name"]
            )
        self._require_active(cluster)
        self._no_update_in_progress(cluster, f"cluster {cluster['name']}")
        platform = catalogue.platform_version(version)
        update = self._start_cluster_update(
            cluster,
            "VersionUpdate",
            [("Version", version), ("PlatformVersion", platform)],
            {"version": version, "platformVersion": platform},
        )
        return {"update": update}

    def op_AssociateEncryptionConfig(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        if cluster.get("encryptionConfig"):
            raise _invalid("Encryption is already enabled on the cluster", clusterName=cluster["name"])
        self._check_encryption(region, p["encryptionConfig"])
        self._require_active(cluster)
        self._no_update_in_progress(cluster, f"cluster {cluster['name']}")
        update = self._start_cluster_update(
            cluster,
            "AssociateEncryptionConfig",
            [("EncryptionConfig", json.dumps(p["encryptionConfig"]))],
            {"encryptionConfig": p["encryptionConfig"]},
        )
        return {"update": update}

    def op_DescribeClusterVersions(self, region, p):
        versions = [catalogue.cluster_version_info(v) for v in reversed(catalogue.CLUSTER_VERSIONS)]
        if p.get("clusterType") and p["clusterType"] != "eks":
            versions = []
        if p.get("defaultOnly"):
            versions = [v for v in versions if v["defaultVersion"]]
        if p.get("clusterVersions"):
            versions = [v for v in versions if v["clusterVersion"] in p["clusterVersions"]]
        if p.get("versionStatus"):
            versions = [v for v in versions if v["versionStatus"] == p["versionStatus"]]
        if p.get("status"):
            versions = [v for v in versions if v["status"] == p["status"]]
        return _paginate(versions, p, "clusterVersions")

    # ------------------------------------------------------------------ updates
    def op_DescribeUpdate(self, region, p):
        cluster = self._cluster(region, p["name"])
        owner = cluster
        if p.get("nodegroupName"):
            owner = self._nodegroup(cluster, p["nodegroupName"])
        elif p.get("addonName"):
            owner = self._addon(cluster, p["addonName"])
        if p["updateId"] not in owner["_updates"]:
            raise ApiError("ResourceNotFoundException", f"No update found for ID: {p['updateId']}")
        return {"update": _public(self.updates[p["updateId"]])}

    def op_ListUpdates(self, region, p):
        cluster = self._cluster(region, p["name"])
        owner = cluster
        if p.get("nodegroupName"):
            owner = self._nodegroup(cluster, p["nodegroupName"])
        elif p.get("addonName"):
            owner = self._addon(cluster, p["addonName"])
        return _paginate(list(owner["_updates"]), p, "updateIds")

    # ================================================================== node groups
    def op_CreateNodegroup(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        name = p["nodegroupName"]
        if name in cluster["_nodegroups"]:
            raise ApiError(
                "ResourceInUseException",
                f"NodeGroup already exists with name {name} and cluster name {cluster['name']}",
                clusterName=cluster["name"],
                nodegroupName=name,
            )
        if cluster["status"] != "ACTIVE":
            raise ApiError(
                "InvalidRequestException",
                f"Cluster '{cluster['name']}' is not in ACTIVE status",
                clusterName=cluster["name"],
                nodegroupName=name,
            )
        if not re.match(r"^[0-9A-Za-z][A-Za-z0-9\-_]*$", name) or len(name) > 63:
            raise _invalid(f"The node group name {name!r} is not valid.", nodegroupName=name)
        self._check_role(p["nodeRole"], "nodeRole")
        subnets = self._subnets(region, p["subnets"], "subnets")
        vpc_id = cluster["resourcesVpcConfig"].get("vpcId")
        for subnet_id, subnet_vpc, _zone, _cidr in subnets:
            if vpc_id and subnet_vpc != vpc_id:
                raise _invalid(f"Subnet {subnet_id} is not in the cluster's VPC {vpc_id}.", nodegroupName=name)
        version = p.get("version") or cluster["version"]
        self._check_node_version(cluster, version, name)
        scaling = dict({"minSize": 1, "maxSize": 2, "desiredSize": 2}, **(p.get("scalingConfig") or {}))
        _check_scaling(scaling, name)
        launch_template = None
        custom_ami = False
        if p.get("launchTemplate"):
            if p.get("diskSize") is not None:
                raise _invalid("Disk size must be specified within the launch template.", nodegroupName=name)
            if p.get("remoteAccess"):
                raise _invalid(
                    "Remote access configuration cannot be specified with a launch template.", nodegroupName=name
                )
            launch_template, custom_ami = self._resolve_launch_template(region, p["launchTemplate"], name)
        ami_type = p.get("amiType") or ("CUSTOM" if custom_ami else catalogue.default_ami_type(version))
        if custom_ami and p.get("amiType") and p["amiType"] != "CUSTOM":
            raise _invalid("An amiType cannot be specified with a launch template that has a custom AMI.")
        if ami_type.startswith("AL2_") and catalogue.minor(version) >= (1, 33):
            raise _invalid(f"AMI Type {ami_type} is only supported for kubernetes versions 1.32 or earlier")
        release = p.get("releaseVersion") or catalogue.release_version(version, ami_type)
        if p.get("releaseVersion") and p["releaseVersion"] != catalogue.release_version(version, ami_type):
            raise _invalid(
                f"Requested release version {p['releaseVersion']} is not valid for kubernetes version {version}.",
                nodegroupName=name,
            )
        labels = dict(p.get("labels") or {})
        taints = [_check_taint(t) for t in (p.get("taints") or [])]
        update_config = p.get("updateConfig") or {"maxUnavailable": 1}
        _check_update_config(update_config)
        self._validate_tags(p.get("tags"))
        ng_id = str(uuid.uuid4())
        now = _now()
        ng = {
            "nodegroupName": name,
            "nodegroupArn": self._arn(region, "nodegroup", cluster["name"], name, ng_id),
            "clusterName": cluster["name"],
            "version": version,
            "createdAt": now,
            "modifiedAt": now,
            "status": "CREATING",
            "capacityType": p.get("capacityType") or "ON_DEMAND",
            "scalingConfig": scaling,
            "subnets": list(p["subnets"]),
            "amiType": ami_type,
            "nodeRole": p["nodeRole"],
            "labels": labels,
            "resources": {"autoScalingGroups": [{"name": f"eks-{name}-{ng_id}"}]},
            "health": {"issues": []},
            "updateConfig": dict(update_config),
            "nodeRepairConfig": dict({"enabled": False}, **(p.get("nodeRepairConfig") or {})),
            "tags": dict(p.get("tags") or {}),
            "_updates": [],
            "_region": region,
        }
        if release:
            ng["releaseVersion"] = release
        if taints:
            ng["taints"] = taints
        if launch_template:
            ng["launchTemplate"] = launch_template
            if p.get("instanceTypes"):
                ng["instanceTypes"] = list(p["instanceTypes"])
        else:
            ng["instanceTypes"] = list(p.get("instanceTypes") or ["t3.medium"])
            ng["diskSize"] = p.get("diskSize") or 20
        if p.get("remoteAccess"):
            remote = dict(p["remoteAccess"])
            if self._strict() and remote.get("ec2SshKey"):
                try:
                    self._ec2(region).describe_key_pairs([remote["ec2SshKey"]])
                except Exception:
                    raise _invalid(f"The key pair '{remote['ec2SshKey']}' does not exist", nodegroupName=name) from None
            self._check_security_groups(region, remote.get("sourceSecurityGroups") or [], vpc_id)
            ng["remoteAccess"] = remote
            if vpc_id:
                sg_name = f"eks-remoteAccess-{ng_id}"
                ng["resources"]["remoteAccessSecurityGroup"] = self._create_security_group(
                    region,
                    sg_name,
                    "Security group for all nodes in the nodeGroup to allow SSH access",
                    vpc_id,
                    {"Name": sg_name, "eks": "nodegroup-remote-access"},
                    ssh_from=remote.get("sourceSecurityGroups") or [],
                )
        if p.get("warmPoolConfig"):
            ng["warmPoolConfig"] = dict(p["warmPoolConfig"])
        cluster["_nodegroups"][name] = ng
        if cluster["accessConfig"]["authenticationMode"] != "CONFIG_MAP":
            self._node_access_entry(cluster, p["nodeRole"])

        def created(t):
            injection = self.controls.take_injection("nodegroup", cluster["name"], name)
            if injection:
                self._fail_nodegroup(ng, injection, "CREATE_FAILED")
                return
            ng["status"] = "ACTIVE"
            ng["modifiedAt"] = t

        self._schedule(ng, "nodegroup", created)
        return {"nodegroup": _public(ng)}

    def _node_access_entry(self, cluster, role_arn):
        if role_arn not in cluster["_access_entries"]:
            self._add_access_entry(cluster, role_arn, "EC2_LINUX", [], None, {})

    def _check_node_version(self, cluster, version, name):
        if version not in catalogue.CLUSTER_VERSIONS:
            raise _invalid(f"Requested Nodegroup Kubernetes version {version} is not supported.", nodegroupName=name)
        cmaj, cmin = catalogue.minor(cluster["version"])
        nmaj, nmin = catalogue.minor(version)
        if (nmaj, nmin) > (cmaj, cmin):
            raise _invalid(
                f"Requested Nodegroup Kubernetes version {version} is newer than the cluster version {cluster['version']}.",
                nodegroupName=name,
            )
        if cmin - nmin > 3:
            raise _invalid(
                f"Requested Nodegroup Kubernetes version {version} is more than 3 minor versions behind the cluster.",
                nodegroupName=name,
            )

    def _resolve_launch_template(self, region, spec, ng_name):
        """({name, id, version}, uses a custom AMI) of a launch template request."""
        if not spec.get("id") and not spec.get("name"):
            raise _invalid("Either launchTemplate id or name must be specified.", nodegroupName=ng_name)
        if spec.get("id") and spec.get("name"):
            raise _invalid("Either launchTemplate id or name can be specified, not both.", nodegroupName=ng_name)
        ec2 = self._ec2(region)
        try:
            template = (
                ec2.get_launch_template(spec["id"]) if spec.get("id") else ec2.get_launch_template_by_name(spec["name"])
            )
        except Exception:
            if self._strict():
                raise _invalid(
                    f"Launch template {spec.get('id') or spec.get('name')} does not exist.", nodegroupName=ng_name
                ) from None
            return {
                "name": spec.get("name") or "unknown",
                "id": spec.get("id") or "lt-" + secrets.token_hex(8)[:17],
                "version": str(spec.get("version") or "1"),
            }, False
        try:
            version = template.get_version(spec.get("version") or "$Default")
        except Exception:
            raise _invalid(
                f"Launch template version {spec.get('version')} does not exist for {template.name}.",
                nodegroupName=ng_name,
            ) from None
        return {"name": template.name, "id": template.id, "version": str(version.number)}, bool(version.image_id)

    def op_DescribeNodegroup(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        return {"nodegroup": _public(self._nodegroup(cluster, p["nodegroupName"]))}

    def op_ListNodegroups(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        return _paginate(sorted(cluster["_nodegroups"]), p, "nodegroups")

    def op_DeleteNodegroup(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        ng = self._nodegroup(cluster, p["nodegroupName"])
        self._no_update_in_progress(ng, f"node group {ng['nodegroupName']}")
        if ng["status"] != "DELETING":
            ng["status"] = "DELETING"
            ng["modifiedAt"] = _now()

            def deleted(t):
                injection = self.controls.take_injection("nodegroup", cluster["name"], ng["nodegroupName"])
                if injection:
                    self._fail_nodegroup(ng, injection, "DELETE_FAILED")
                    return
                cluster["_nodegroups"].pop(ng["nodegroupName"], None)
                for update_id in ng["_updates"]:
                    self.updates.pop(update_id, None)
                if self.controls.realism is not None:
                    self.controls.realism.nodegroup_deleted(region, cluster, ng)  # the CNI's interfaces may linger
                self._delete_security_group(region, ng["resources"].get("remoteAccessSecurityGroup"))

            self._schedule(ng, "nodegroup", deleted)
        return {"nodegroup": _public(ng)}

    def _require_nodegroup_updatable(self, ng):
        if ng["status"] not in ("ACTIVE", "DEGRADED"):
            raise ApiError(
                "ResourceInUseException",
                f"Nodegroup {ng['nodegroupName']} is in {ng['status']} status; it cannot be updated now.",
                clusterName=ng["clusterName"],
                nodegroupName=ng["nodegroupName"],
            )
        self._no_update_in_progress(ng, f"node group {ng['nodegroupName']}")

    def op_UpdateNodegroupConfig(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        ng = self._nodegroup(cluster, p["nodegroupName"])
        keys = [
            k
            for k in ("labels", "taints", "scalingConfig", "updateConfig", "nodeRepairConfig", "warmPoolConfig")
            if p.get(k)
        ]
        if not keys:
            raise _invalid("No changes were requested.", nodegroupName=ng["nodegroupName"])
        self._require_nodegroup_updatable(ng)
        params, patch = [], {}
        if p.get("labels"):
            add = p["labels"].get("addOrUpdateLabels") or {}
            remove = p["labels"].get("removeLabels") or []
            both = set(add) & set(remove)
            if both:
                raise _invalid(
                    f"Labels {', '.join(sorted(both))} cannot be both added and removed.",
                    nodegroupName=ng["nodegroupName"],
                )
            labels = {k: v for k, v in ng["labels"].items() if k not in remove}
            labels.update(add)
            patch["labels"] = labels
            if add:
                params.append(("LabelsToAdd", json.dumps(add)))
            if remove:
                params.append(("LabelsToRemove", json.dumps(remove)))
        if p.get("taints"):
            add = [_check_taint(t) for t in p["taints"].get("addOrUpdateTaints") or []]
            remove = [_check_taint(t) for t in p["taints"].get("removeTaints") or []]
            taints = [t for t in ng.get("taints", []) if not any(_same_taint(t, r) for r in remove + add)]
            taints += add
            if len(taints) > 50:
                raise _invalid("A node group can have at most 50 taints.", nodegroupName=ng["nodegroupName"])
            patch["taints"] = taints
            if add:
                params.append(("TaintsToAdd", json.dumps(add)))
            if remove:
                params.append(("TaintsToRemove", json.dumps(remove)))
        if p.get("scalingConfig"):
            scaling = dict(ng["scalingConfig"], **p["scalingConfig"])
            _check_scaling(scaling, ng["nodegroupName"])
            patch["scalingConfig"] = scaling
            for key, label in (("minSize", "MinSize"), ("maxSize", "MaxSize"), ("desiredSize", "DesiredSize")):
                if key in p["scalingConfig"]:
                    params.append((label, str(p["scalingConfig"][key])))
        if p.get("updateConfig"):
            update_config = dict(p["updateConfig"])
            if "maxUnavailable" in update_config or "maxUnavailablePercentage" in update_config:
                merged = {k: v for k, v in ng["updateConfig"].items() if k == "updateStrategy"}
                merged.update(update_config)
            else:
                merged = dict(ng["updateConfig"], **update_config)
            _check_update_config(merged)
            patch["updateConfig"] = merged
            for key, label in (
                ("maxUnavailable", "MaxUnavailable"),
                ("maxUnavailablePercentage", "MaxUnavailablePercentage"),
                ("updateStrategy", "UpdateStrategy"),
            ):
                if key in update_config:
                    params.append((label, str(update_config[key])))
        if p.get("nodeRepairConfig"):
            patch["nodeRepairConfig"] = dict(ng["nodeRepairConfig"], **p["nodeRepairConfig"])
            params.append(("NodeRepairEnabled", json.dumps(patch["nodeRepairConfig"].get("enabled", False))))
            params.append(("NodeRepairConfig", json.dumps(p["nodeRepairConfig"])))
        if p.get("warmPoolConfig"):
            patch["warmPoolConfig"] = dict(ng.get("warmPoolConfig") or {}, **p["warmPoolConfig"])
            params.append(("WarmPoolEnabled", json.dumps(patch["warmPoolConfig"].get("enabled", False))))
        return {"update": self._start_nodegroup_update(cluster, ng, "ConfigUpdate", params, patch)}

    def _start_nodegroup_update(self, cluster, ng, update_type, params, patch):
        update = self._new_update(ng, cluster, update_type, params, nodegroup=ng["nodegroupName"])
        ng["status"] = "UPDATING"
        ng["modifiedAt"] = _now()

        def apply():
            for key, value in patch.items():
                ng[key] = copy.deepcopy(value)
            if not ng.get("taints"):
                ng.pop("taints", None)
            ng["health"] = {"issues": []}

        def finished(t):
            ng["modifiedAt"] = t
            self._finish_update(
                update,
                "nodegroup",
                ng["nodegroupName"],
                apply,
                ng,
                lambda r: "ACTIVE",
                lambda inj: self._fail_nodegroup(ng, inj, "DEGRADED"),
            )

        self._schedule(ng, "update", finished)
        return _public(update)

    def op_UpdateNodegroupVersion(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        ng = self._nodegroup(cluster, p["nodegroupName"])
        name = ng["nodegroupName"]
        self._require_nodegroup_updatable(ng)
        patch, params = {}, []
        lt_req = p.get("launchTemplate")
        if lt_req:
            current = ng.get("launchTemplate")
            if not current:
                raise _invalid("The node group was not created with a launch template.", nodegroupName=name)
            if (lt_req.get("id") and lt_req["id"] != current["id"]) or (
                lt_req.get("name") and lt_req["name"] != current["name"]
            ):
                raise _invalid(
                    "The launch template must be the one the node group was created with.", nodegroupName=name
                )
            spec = {"id": current["id"], "version": lt_req.get("version")}
            resolved, custom = self._resolve_launch_template(region, spec, name)
            resolved["name"] = current["name"]
            patch["launchTemplate"] = resolved
            if custom != (ng["amiType"] == "CUSTOM"):
                raise _invalid("The launch template version changes whether a custom AMI is used.", nodegroupName=name)
            params += [("LaunchTemplateName", current["name"]), ("LaunchTemplateVersion", resolved["version"])]
        if ng["amiType"] == "CUSTOM":
            if p.get("version") or p.get("releaseVersion"):
                raise _invalid(
                    "You cannot specify a version or releaseVersion for a node group with a custom AMI.",
                    nodegroupName=name,
                )
        else:
            if p.get("version") or p.get("releaseVersion") or not lt_req:
                version = p.get("version") or (cluster["version"] if not p.get("releaseVersion") else ng["version"])
                self._check_node_version(cluster, version, name)
                if catalogue.minor(version) < catalogue.minor(ng["version"]):
                    raise _invalid(
                        f"Cannot downgrade node group version from {ng['version']} to {version}.", nodegroupName=name
                    )
                release = catalogue.release_version(version, ng["amiType"])
                if p.get("releaseVersion") and p["releaseVersion"] != release:
                    raise _invalid(
                        f"Requested release version {p['releaseVersion']} is not valid for kubernetes version {version}.",
                        nodegroupName=name,
                    )
                patch["version"], patch["releaseVersion"] = version, release
                params = [("Version", version), ("ReleaseVersion", release)] + params
        unchanged = all(ng.get(k) == v for k, v in patch.items())
        if unchanged and not p.get("force"):
            raise _invalid(
                f"Nodegroup {name} is already at version {ng['version']} with release version "
                f"{ng.get('releaseVersion')} and the requested launch template version.",
                nodegroupName=name,
            )
        return {"update": self._start_nodegroup_update(cluster, ng, "VersionUpdate", params, patch)}

    # ================================================================== identity provider configs
    def _identity_provider(self, cluster, spec):
        config = cluster["_idp"].get(spec.get("name"))
        if config is None or spec.get("type") != "oidc":
            raise ApiError(
                "ResourceNotFoundException",
                f"No identity provider config found with name: {spec.get('name')}",
                clusterName=cluster["name"],
            )
        return config

    def op_AssociateIdentityProviderConfig(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        oidc = p["oidc"]
        name = oidc["identityProviderConfigName"]
        if name in cluster["_idp"]:
            raise ApiError("ResourceInUseException", f"Identity provider config {name} already exists.")
        if cluster["_idp"]:
            raise ApiError(
                "ResourceLimitExceededException", "A cluster can have only one OIDC identity provider config."
            )
        if not oidc["issuerUrl"].startswith("https://"):
            raise _invalid("issuerUrl must be an https URL.")
        self._require_active(cluster)
        self._no_update_in_progress(cluster, f"cluster {cluster['name']}")
        self._validate_tags(p.get("tags"))
        config = dict(
            oidc,
            identityProviderConfigArn=self._arn(
                region, "identityproviderconfig", cluster["name"], "oidc", name, str(uuid.uuid4())
            ),
            clusterName=cluster["name"],
            tags=dict(p.get("tags") or {}),
            status="CREATING",
        )
        cluster["_idp"][name] = config

        def activate():
            config["status"] = "ACTIVE"

        update = self._start_cluster_update(
            cluster,
            "AssociateIdentityProviderConfig",
            [("IdentityProviderConfig", json.dumps([{"type": "oidc", "name": name}]))],
            {},
            after=activate,
        )
        return {"update": update, "tags": dict(config["tags"])}

    def op_DescribeIdentityProviderConfig(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        return {
            "identityProviderConfig": {"oidc": _public(self._identity_provider(cluster, p["identityProviderConfig"]))}
        }

    def op_ListIdentityProviderConfigs(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        return _paginate([{"type": "oidc", "name": n} for n in sorted(cluster["_idp"])], p, "identityProviderConfigs")

    def op_DisassociateIdentityProviderConfig(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        config = self._identity_provider(cluster, p["identityProviderConfig"])
        self._require_active(cluster)
        self._no_update_in_progress(cluster, f"cluster {cluster['name']}")
        config["status"] = "DELETING"

        def remove():
            cluster["_idp"].pop(config["identityProviderConfigName"], None)

        update = self._start_cluster_update(
            cluster,
            "DisassociateIdentityProviderConfig",
            [("IdentityProviderConfig", json.dumps([p["identityProviderConfig"]]))],
            {},
            after=remove,
        )
        return {"update": update}

    # ================================================================== fargate profiles
    def _public_subnet(self, region, subnet_id, vpc_id):
        """Whether the subnet's route table (its own, else the VPC's main one) routes to an internet gateway."""
        ec2 = self._ec2(region)
        tables = [t for t in ec2.route_tables.values() if t.vpc_id == vpc_id]
        table = next((t for t in tables if subnet_id in t._associations.values()), None)
        if table is None:
            table = next((t for t in tables if t.main_association_id is not None), None)
        if table is None:
            return False
        return any((route.gateway_id or "").startswith("igw-") for route in table.routes)

    def _fargate_busy(self, cluster, name, verb):
        """EKS creates or deletes one Fargate profile of a cluster at a time."""
        for other in cluster["_fargate"].values():
            if other["fargateProfileName"] != name and other["status"] in ("CREATING", "DELETING"):
                raise ApiError(
                    "ResourceInUseException",
                    f"Cannot {verb} Fargate Profile {name} because cluster {cluster['name']} currently has Fargate "
                    f"profile {other['fargateProfileName']} in status {other['status']}",
                    clusterName=cluster["name"],
                )

    def op_CreateFargateProfile(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        name = p["fargateProfileName"]
        if name in cluster["_fargate"]:
            raise ApiError(
                "ResourceInUseException",
                "A Fargate Profile already exists with this name in this cluster.",
                clusterName=cluster["name"],
                fargateProfileName=name,
            )
        self._require_active(cluster)
        self._fargate_busy(cluster, name, "create")
        self._check_role(p["podExecutionRoleArn"], "podExecutionRoleArn")
        selectors = p.get("selectors") or []
        if not 1 <= len(selectors) <= 5:
            raise _invalid("A Fargate Profile needs 1 to 5 selectors.", clusterName=cluster["name"])
        for selector in selectors:
            if not selector.get("namespace"):
                raise _invalid("Every Fargate Profile selector needs a namespace.", clusterName=cluster["name"])
            if len(selector.get("labels") or {}) > 5:
                raise _invalid("A Fargate Profile selector takes at most 5 labels.", clusterName=cluster["name"])
        vpc_id = cluster["resourcesVpcConfig"].get("vpcId")
        subnet_ids = list(p.get("subnets") or [])
        if not subnet_ids:
            # Left out, the cluster's private subnets are used.
            subnet_ids = [
                s
                for s in cluster["resourcesVpcConfig"].get("subnetIds") or []
                if not self._public_subnet(region, s, vpc_id)
            ]
            if not subnet_ids:
                raise _invalid(
                    "The cluster has no private subnets: specify private subnets for the Fargate Profile.",
                    clusterName=cluster["name"],
                )
        for subnet_id, subnet_vpc, _az, _cidr in self._subnets(region, subnet_ids, "subnets"):
            if vpc_id and subnet_vpc != vpc_id:
                raise _invalid(f"Subnet {subnet_id} is not in the cluster's VPC {vpc_id}.", clusterName=cluster["name"])
            if self._public_subnet(region, subnet_id, subnet_vpc):
                raise _invalid(
                    f"Subnet {subnet_id} provided in Fargate Profile is not a private subnet",
                    clusterName=cluster["name"],
                )
        self._validate_tags(p.get("tags"))
        profile = {
            "fargateProfileName": name,
            "fargateProfileArn": self._arn(region, "fargateprofile", cluster["name"], name, str(uuid.uuid4())),
            "clusterName": cluster["name"],
            "createdAt": _now(),
            "podExecutionRoleArn": p["podExecutionRoleArn"],
            "subnets": subnet_ids,
            "selectors": copy.deepcopy(selectors),
            "status": "CREATING",
            "tags": dict(p.get("tags") or {}),
            "health": {"issues": []},
        }
        cluster["_fargate"][name] = profile

        def created(t):
            profile["status"] = "ACTIVE"

        self._schedule(profile, "nodegroup", created)
        return {"fargateProfile": _public(profile)}

    def _fargate_profile(self, cluster, name):
        profile = cluster["_fargate"].get(name)
        if profile is None:
            raise ApiError("ResourceNotFoundException", f"No Fargate Profile found with name: {name}.")
        return profile

    def op_DescribeFargateProfile(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        return {"fargateProfile": _public(self._fargate_profile(cluster, p["fargateProfileName"]))}

    def op_ListFargateProfiles(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        return _paginate(sorted(cluster["_fargate"]), p, "fargateProfileNames")

    def op_DeleteFargateProfile(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        profile = self._fargate_profile(cluster, p["fargateProfileName"])
        if profile["status"] == "CREATING":
            raise ApiError(
                "ResourceInUseException",
                f"Cannot delete Fargate Profile {profile['fargateProfileName']} because it is in status CREATING",
                clusterName=cluster["name"],
            )
        if profile["status"] != "DELETING":
            self._fargate_busy(cluster, profile["fargateProfileName"], "delete")
            profile["status"] = "DELETING"

            def deleted(t):
                cluster["_fargate"].pop(profile["fargateProfileName"], None)

            self._schedule(profile, "nodegroup", deleted)
        return {"fargateProfile": _public(profile)}

    # ================================================================== add-ons
    def op_DescribeAddonVersions(self, region, p):
        names = catalogue.ADDON_NAMES
        if p.get("addonName"):
            names = [n for n in names if n == p["addonName"]]
        k8s = p.get("kubernetesVersion")
        infos = [catalogue.addon_info(n, k8s) for n in names]
        withdrawn = self.controls.config()["withdrawn_addons"]
        for info in infos:
            gone = withdrawn.get(info["addonName"], [])
            for version in info["addonVersions"]:
                version["compatibilities"] = [c for c in version["compatibilities"] if c["clusterVersion"] not in gone]
            info["addonVersions"] = [v for v in info["addonVersions"] if v["compatibilities"] and k8s not in gone]
        infos = [i for i in infos if i["addonVersions"]]
        if p.get("types"):
            infos = [i for i in infos if i["type"] in p["types"]]
        if p.get("publishers"):
            infos = [i for i in infos if i["publisher"] in p["publishers"]]
        if p.get("owners"):
            infos = [i for i in infos if i["owner"] in p["owners"]]
        return _paginate(infos, p, "addons")

    def op_DescribeAddonConfiguration(self, region, p):
        name, version = p["addonName"], p["addonVersion"]
        if not catalogue.addon_exists(name) or not catalogue.addon_version_exists(name, version):
            raise _invalid(f"Addon version {version} is not found for addon {name}", addonName=name)
        return {
            "addonName": name,
            "addonVersion": version,
            "configurationSchema": catalogue.configuration_schema_text(name, version),
            "podIdentityConfiguration": catalogue.pod_identity_configuration(name),
        }

    def _check_addon_version(self, cluster, name, version):
        if not catalogue.addon_version_exists(name, version):
            raise _invalid(f"Addon version specified is not supported: {name} {version}", addonName=name)
        withdrawn = self.controls.config()["withdrawn_addons"].get(name, [])
        if version not in catalogue.compatible_versions(name, cluster["version"]) or cluster["version"] in withdrawn:
            raise _invalid(
                f"Addon version {version} of {name} is not supported on Kubernetes version {cluster['version']}",
                addonName=name,
            )

    def _check_configuration(self, name, version, text):
        if text is None or text == "":
            return
        try:
            values = json.loads(text)
        except ValueError:
            try:
                import yaml

                values = yaml.safe_load(text)
            except Exception:
                values = None
        if not isinstance(values, dict):
            raise _invalid(
                "ConfigurationValue provided in request is not supported: the value must be a JSON or YAML object",
                addonName=name,
            )
        import jsonschema

        schema = catalogue.configuration_schema(name, version)
        errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(values), key=lambda e: list(e.absolute_path))
        if errors:
            details = []
            for e in errors:
                path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e.absolute_path)
                if e.validator == "additionalProperties":
                    extra = sorted(set(e.instance) - set(e.schema.get("properties", {})))
                    for key in extra:
                        details.append(
                            f"{path}.{key}: is not defined in the schema and the schema does not allow additional properties"
                        )
                else:
                    details.append(f"{path}: {e.message}")
            raise _invalid(
                "ConfigurationValue provided in request is not supported: Json schema validation failed with error: ["
                + ", ".join(details)
                + "]",
                addonName=name,
            )

    def _addon_pod_identities(self, cluster, addon_name, associations):
        allowed = {c["serviceAccount"] for c in catalogue.pod_identity_configuration(addon_name)}
        seen = set()
        for item in associations:
            if item.get("serviceAccount") not in allowed:
                raise _invalid(
                    f"Service account {item.get('serviceAccount')} is not used by add-on {addon_name}; "
                    f"valid service accounts: {', '.join(sorted(allowed)) or 'none'}",
                    addonName=addon_name,
                )
            if item["serviceAccount"] in seen:
                raise _invalid(f"Service account {item['serviceAccount']} is listed twice.", addonName=addon_name)
            seen.add(item["serviceAccount"])
            self._check_role(item.get("roleArn"), "podIdentityAssociations.roleArn")

    def op_CreateAddon(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        name = p["addonName"]
        if name in cluster["_addons"]:
            raise ApiError(
                "ResourceInUseException", "Addon already exists.", clusterName=cluster["name"], addonName=name
            )
        if not catalogue.addon_exists(name):
            raise _invalid(
                f"Addon {name} specified is not supported in {cluster['version']} kubernetes version", addonName=name
            )
        if cluster["status"] not in ("ACTIVE", "UPDATING"):
            raise ApiError(
                "InvalidRequestException", f"Cluster '{cluster['name']}' is not in ACTIVE status", addonName=name
            )
        version = p.get("addonVersion") or catalogue.default_addon_version(name, cluster["version"])
        if version is None:
            raise _invalid(f"Addon {name} has no version for Kubernetes {cluster['version']}", addonName=name)
        self._check_addon_version(cluster, name, version)
        if p.get("resolveConflicts") and p["resolveConflicts"] not in ("OVERWRITE", "NONE", "PRESERVE"):
            raise _invalid("resolveConflicts must be OVERWRITE, NONE or PRESERVE", addonName=name)
        if p.get("serviceAccountRoleArn"):
            self._check_role(p["serviceAccountRoleArn"], "serviceAccountRoleArn")
        self._check_configuration(name, version, p.get("configurationValues"))
        associations = p.get("podIdentityAssociations") or []
        self._addon_pod_identities(cluster, name, associations)
        namespace = (p.get("namespaceConfig") or {}).get("namespace")
        for item in associations:
            for assoc in cluster["_pod_identity"].values():
                if (assoc["namespace"], assoc["serviceAccount"]) == (
                    namespace or catalogue.addon_info(name)["defaultNamespace"],
                    item["serviceAccount"],
                ):
                    raise ApiError("ResourceInUseException", f"Association already exists: {assoc['associationId']}")
        self._validate_tags(p.get("tags"))
        now = _now()
        addon = {
            "addonName": name,
            "clusterName": cluster["name"],
            "status": "CREATING",
            "addonVersion": version,
            "health": {"issues": []},
            "addonArn": self._arn(region, "addon", cluster["name"], name, str(uuid.uuid4())),
            "createdAt": now,
            "modifiedAt": now,
            "tags": dict(p.get("tags") or {}),
            "publisher": "eks",
            "owner": catalogue.addon_owner(name),
            "podIdentityAssociations": [],
            "_updates": [],
            "_resolve_conflicts": p.get("resolveConflicts"),
        }
        if p.get("serviceAccountRoleArn"):
            addon["serviceAccountRoleArn"] = p["serviceAccountRoleArn"]
        if p.get("configurationValues"):
            addon["configurationValues"] = p["configurationValues"]
        if namespace:
            addon["namespaceConfig"] = {"namespace": namespace}
        cluster["_addons"][name] = addon
        self._set_addon_associations(region, cluster, addon, associations)

        def created(t):
            addon["modifiedAt"] = t
            injection = self.controls.take_injection("addon", cluster["name"], name)
            if injection:
                self._fail_addon(addon, injection, "CREATE_FAILED")
                return
            addon["status"] = "ACTIVE"
            self._refresh_addon_health(cluster)

        self._schedule(addon, "addon", created)
        return {"addon": _public(addon)}

    def _set_addon_associations(self, region, cluster, addon, associations):
        namespace = (addon.get("namespaceConfig") or {}).get("namespace") or catalogue.addon_info(addon["addonName"])[
            "defaultNamespace"
        ]
        wanted = {a["serviceAccount"]: a["roleArn"] for a in associations}
        for assoc_id, assoc in list(cluster["_pod_identity"].items()):
            if assoc.get("ownerArn") != addon["addonArn"]:
                continue
            if assoc["serviceAccount"] not in wanted:
                del cluster["_pod_identity"][assoc_id]
            else:
                assoc["roleArn"] = wanted.pop(assoc["serviceAccount"])
                assoc["modifiedAt"] = _now()
        for service_account, role_arn in wanted.items():
            self._add_pod_identity(region, cluster, namespace, service_account, role_arn, {}, owner=addon["addonArn"])
        addon["podIdentityAssociations"] = sorted(
            a["associationArn"] for a in cluster["_pod_identity"].values() if a.get("ownerArn") == addon["addonArn"]
        )

    def op_DescribeAddon(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        return {"addon": _public(self._addon(cluster, p["addonName"]))}

    def op_ListAddons(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        return _paginate(sorted(cluster["_addons"]), p, "addons")

    def op_UpdateAddon(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        addon = self._addon(cluster, p["addonName"])
        name = addon["addonName"]
        if addon["status"] not in ("ACTIVE", "DEGRADED", "UPDATE_FAILED", "CREATE_FAILED"):
            raise ApiError(
                "ResourceInUseException",
                f"Addon {name} is in {addon['status']} status; it cannot be updated now.",
                clusterName=cluster["name"],
                addonName=name,
            )
        self._no_update_in_progress(addon, f"addon {name}")
        version = p.get("addonVersion") or addon["addonVersion"]
        self._check_addon_version(cluster, name, version)
        if catalogue.compare_addon_versions(version, addon["addonVersion"]) < 0:
            raise _invalid(
                f"Updating addon {name} from {addon['addonVersion']} to the older version {version} is not supported",
                addonName=name,
            )
        if p.get("resolveConflicts") and p["resolveConflicts"] not in ("OVERWRITE", "NONE", "PRESERVE"):
            raise _invalid("resolveConflicts must be OVERWRITE, NONE or PRESERVE", addonName=name)
        config = p.get("configurationValues", addon.get("configurationValues"))
        self._check_configuration(name, version, config)
        if p.get("serviceAccountRoleArn"):
            self._check_role(p["serviceAccountRoleArn"], "serviceAccountRoleArn")
        if "podIdentityAssociations" in p:
            self._addon_pod_identities(cluster, name, p["podIdentityAssociations"])
        params = []
        patch = {}
        if p.get("addonVersion"):
            params.append(("AddonVersion", version))
            patch["addonVersion"] = version
        if "serviceAccountRoleArn" in p:
            params.append(("ServiceAccountRoleArn", p["serviceAccountRoleArn"]))
            patch["serviceAccountRoleArn"] = p["serviceAccountRoleArn"]
        if p.get("resolveConflicts"):
            params.append(("ResolveConflicts", p["resolveConflicts"]))
        if "configurationValues" in p:
            params.append(("ConfigurationValues", p["configurationValues"]))
            patch["configurationValues"] = p["configurationValues"]
        if "podIdentityAssociations" in p:
            params.append(
                ("PodIdentityAssociations", json.dumps([a["serviceAccount"] for a in p["podIdentityAssociations"]]))
            )
        update = self._new_update(addon, cluster, "AddonUpdate", params, addon=name)
        addon["status"] = "UPDATING"
        addon["modifiedAt"] = _now()

        def apply():
            for key, value in patch.items():
                if value in (None, ""):
                    addon.pop(key, None)
                else:
                    addon[key] = value
            if "podIdentityAssociations" in p:
                self._set_addon_associations(region, cluster, addon, p["podIdentityAssociations"])
            addon["health"] = {"issues": []}
            addon.pop("_sticky", None)

        def finished(t):
            addon["modifiedAt"] = t
            self._finish_update(
                update,
                "addon",
                name,
                apply,
                addon,
                lambda a: "ACTIVE",
                lambda inj: self._fail_addon(addon, inj, "UPDATE_FAILED"),
            )
            if update["status"] != "Successful" and addon["status"] == "ACTIVE":
                self._fail_addon(addon, {"health_issues": None}, "UPDATE_FAILED")
            self._refresh_addon_health(cluster)

        self._schedule(addon, "update", finished)
        return {"update": _public(update)}

    def op_DeleteAddon(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        addon = self._addon(cluster, p["addonName"])
        self._no_update_in_progress(addon, f"addon {addon['addonName']}")
        if addon["status"] != "DELETING":
            addon["status"] = "DELETING"
            addon["modifiedAt"] = _now()
            addon["_preserve"] = bool(p.get("preserve"))

            def deleted(t):
                injection = self.controls.take_injection("addon", cluster["name"], addon["addonName"])
                if injection:
                    self._fail_addon(addon, injection, "DELETE_FAILED")
                    return
                cluster["_addons"].pop(addon["addonName"], None)
                for assoc_id, assoc in list(cluster["_pod_identity"].items()):
                    if assoc.get("ownerArn") == addon["addonArn"]:
                        del cluster["_pod_identity"][assoc_id]
                for update_id in addon["_updates"]:
                    self.updates.pop(update_id, None)

            self._schedule(addon, "addon", deleted)
        return {"addon": _public(addon)}

    # ================================================================== access entries
    def _require_api_auth(self, cluster):
        if cluster["accessConfig"]["authenticationMode"] == "CONFIG_MAP":
            raise ApiError(
                "InvalidRequestException",
                "The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this "
                "operation.",
                clusterName=cluster["name"],
            )

    def _access_entry(self, cluster, principal_arn):
        entry = cluster["_access_entries"].get(principal_arn)
        if entry is None:
            raise ApiError(
                "ResourceNotFoundException",
                f"The specified principalArn could not be found. You can view your available access entries with "
                f"'list-access-entries'. ({principal_arn})",
                clusterName=cluster["name"],
            )
        return entry

    def _add_access_entry(self, cluster, principal_arn, entry_type, groups, username, tags, policies=()):
        match = re.match(r"^arn:aws[a-z-]*:(iam|sts)::(\d{12}):(role|user|assumed-role)/(.+)$", principal_arn or "")
        if not match:
            raise _invalid(f"The specified principalArn is invalid: {principal_arn}", clusterName=cluster["name"])
        kind, resource_name = match.group(3), match.group(4).split("/")[-1]
        if entry_type == "STANDARD":
            default_username = (
                f"arn:aws:sts::{match.group(2)}:assumed-role/{resource_name}/{{{{SessionName}}}}"
                if kind == "role"
                else principal_arn
            )
            out_groups = list(groups)
        elif entry_type in ("EC2_LINUX", "EC2_WINDOWS", "HYBRID_LINUX"):
            if groups:
                raise _invalid(f"kubernetesGroups cannot be specified for access entry type {entry_type}.")
            default_username = "system:node:{{EC2PrivateDNSName}}"
            out_groups = ["system:nodes"]
        elif entry_type == "FARGATE_LINUX":
            if groups:
                raise _invalid(f"kubernetesGroups cannot be specified for access entry type {entry_type}.")
            default_username = "system:node:{{SessionName}}"
            out_groups = ["system:nodes"]
        else:
            if groups:
                raise _invalid(f"kubernetesGroups cannot be specified for access entry type {entry_type}.")
            default_username = principal_arn
            out_groups = []
        now = _now()
        entry = {
            "clusterName": cluster["name"],
            "principalArn": principal_arn,
            "kubernetesGroups": out_groups,
            "accessEntryArn": self._arn(
                cluster["_region"],
                "access-entry",
                cluster["name"],
                "role" if kind != "user" else "user",
                match.group(2),
                resource_name,
                str(uuid.uuid4()),
            ),
            "createdAt": now,
            "modifiedAt": now,
            "tags": dict(tags or {}),
            "username": username or default_username,
            "type": entry_type,
            "_policies": {},
        }
        for policy_arn, scope in policies:
            entry["_policies"][policy_arn] = {
                "policyArn": policy_arn,
                "accessScope": scope,
                "associatedAt": now,
                "modifiedAt": now,
            }
        cluster["_access_entries"][principal_arn] = entry
        return entry

    def _check_principal(self, principal_arn, cluster):
        """EKS resolves the IAM role or user an access entry names: one that does not exist is refused."""
        match = re.match(r"^arn:aws[a-z-]*:iam::\d{12}:(role|user)/(.+)$", principal_arn or "")
        if not match or not self._strict():
            return
        from moto.iam.models import iam_backends

        backend = iam_backends[self.account]["global"]
        name = match.group(2).split("/")[-1]
        try:
            if match.group(1) == "role":
                backend.get_role(name)
            else:
                backend.get_user(name)
        except Exception:
            raise _invalid(
                f"The specified principalArn is invalid: invalid principal {principal_arn}", clusterName=cluster["name"]
            ) from None

    def op_CreateAccessEntry(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        self._require_api_auth(cluster)
        if p["principalArn"] in cluster["_access_entries"]:
            raise ApiError(
                "ResourceInUseException",
                "The specified access entry resource is already in use on this cluster.",
                clusterName=cluster["name"],
            )
        entry_type = p.get("type") or "STANDARD"
        if entry_type not in (
            "STANDARD",
            "EC2_LINUX",
            "EC2_WINDOWS",
            "FARGATE_LINUX",
            "EC2",
            "HYBRID_LINUX",
            "HYPERPOD_LINUX",
        ):
            raise _invalid(f"The access entry type {entry_type} is not valid.")
        groups = p.get("kubernetesGroups") or []
        _check_groups_and_username(groups, p.get("username"))
        self._validate_tags(p.get("tags"))
        self._check_principal(p["principalArn"], cluster)
        entry = self._add_access_entry(cluster, p["principalArn"], entry_type, groups, p.get("username"), p.get("tags"))
        return {"accessEntry": _public(entry)}

    def op_DescribeAccessEntry(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        self._require_api_auth(cluster)
        return {"accessEntry": _public(self._access_entry(cluster, p["principalArn"]))}

    def op_ListAccessEntries(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        self._require_api_auth(cluster)
        arns = sorted(cluster["_access_entries"])
        if p.get("associatedPolicyArn"):
            arns = [a for a in arns if p["associatedPolicyArn"] in cluster["_access_entries"][a]["_policies"]]
        return _paginate(arns, p, "accessEntries")

    def op_UpdateAccessEntry(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        self._require_api_auth(cluster)
        entry = self._access_entry(cluster, p["principalArn"])
        if entry["type"] != "STANDARD" and (p.get("kubernetesGroups") or p.get("username")):
            raise _invalid(f"kubernetesGroups and username cannot be changed for access entry type {entry['type']}.")
        _check_groups_and_username(p.get("kubernetesGroups") or [], p.get("username"))
        if "kubernetesGroups" in p:
            entry["kubernetesGroups"] = list(p["kubernetesGroups"])
        if p.get("username"):
            entry["username"] = p["username"]
        entry["modifiedAt"] = _now()
        return {"accessEntry": _public(entry)}

    def op_DeleteAccessEntry(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        self._require_api_auth(cluster)
        self._access_entry(cluster, p["principalArn"])
        del cluster["_access_entries"][p["principalArn"]]
        return {}

    def op_AssociateAccessPolicy(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        self._require_api_auth(cluster)
        entry = self._access_entry(cluster, p["principalArn"])
        policy_arn = p["policyArn"]
        if not policy_arn.startswith(ACCESS_POLICY_ARN) or policy_arn[len(ACCESS_POLICY_ARN) :] not in ACCESS_POLICIES:
            raise ApiError("ResourceNotFoundException", f"The specified policy {policy_arn} could not be found.")
        if entry["type"] != "STANDARD":
            raise _invalid(f"Access policies cannot be associated with access entries of type {entry['type']}.")
        scope = dict(p["accessScope"])
        if scope.get("type") not in ("cluster", "namespace"):
            raise _invalid("accessScope.type must be cluster or namespace.")
        if scope["type"] == "namespace" and not scope.get("namespaces"):
            raise _invalid("accessScope.namespaces must list at least one namespace for type namespace.")
        if scope["type"] == "cluster" and scope.get("namespaces"):
            raise _invalid("accessScope.namespaces must be empty for type cluster.")
        now = _now()
        existing = entry["_policies"].get(policy_arn)
        entry["_policies"][policy_arn] = {
            "policyArn": policy_arn,
            "accessScope": scope,
            "associatedAt": existing["associatedAt"] if existing else now,
            "modifiedAt": now,
        }
        return {
            "clusterName": cluster["name"],
            "principalArn": entry["principalArn"],
            "associatedAccessPolicy": _public(entry["_policies"][policy_arn]),
        }

    def op_DisassociateAccessPolicy(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        self._require_api_auth(cluster)
        entry = self._access_entry(cluster, p["principalArn"])
        if p["policyArn"] not in entry["_policies"]:
            raise ApiError("ResourceNotFoundException", f"The policy {p['policyArn']} is not associated.")
        del entry["_policies"][p["policyArn"]]
        return {}

    def op_ListAssociatedAccessPolicies(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        self._require_api_auth(cluster)
        entry = self._access_entry(cluster, p["principalArn"])
        out = _paginate([_public(v) for v in entry["_policies"].values()], p, "associatedAccessPolicies")
        out.update(clusterName=cluster["name"], principalArn=entry["principalArn"])
        return out

    def op_ListAccessPolicies(self, region, p):
        items = [{"name": n, "arn": ACCESS_POLICY_ARN + n} for n in ACCESS_POLICIES]
        return _paginate(items, p, "accessPolicies")

    # ================================================================== pod identity associations
    def _add_pod_identity(self, region, cluster, namespace, service_account, role_arn, extra, owner=None):
        assoc_id = "a-" + "".join(secrets.choice(string.ascii_lowercase + string.digits) for _index in range(17))
        now = _now()
        assoc = {
            "clusterName": cluster["name"],
            "namespace": namespace,
            "serviceAccount": service_account,
            "roleArn": role_arn,
            "associationArn": self._arn(region, "podidentityassociation", cluster["name"], assoc_id),
            "associationId": assoc_id,
            "tags": dict(extra.get("tags") or {}),
            "createdAt": now,
            "modifiedAt": now,
            "disableSessionTags": bool(extra.get("disableSessionTags", False)),
        }
        if owner:
            assoc["ownerArn"] = owner
        if extra.get("targetRoleArn"):
            assoc["targetRoleArn"] = extra["targetRoleArn"]
            assoc["externalId"] = str(uuid.uuid4())
        if extra.get("policy"):
            assoc["policy"] = extra["policy"]
        cluster["_pod_identity"][assoc_id] = assoc
        return assoc

    def _association(self, cluster, assoc_id):
        assoc = cluster["_pod_identity"].get(assoc_id)
        if assoc is None:
            raise ApiError(
                "ResourceNotFoundException",
                f"No Pod Identity Association found with id: {assoc_id}",
                clusterName=cluster["name"],
            )
        return assoc

    def op_CreatePodIdentityAssociation(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        for assoc in cluster["_pod_identity"].values():
            if (assoc["namespace"], assoc["serviceAccount"]) == (p["namespace"], p["serviceAccount"]):
                raise ApiError(
                    "ResourceInUseException",
                    f"Association already exists: {assoc['associationId']}",
                    clusterName=cluster["name"],
                )
        self._check_role(p["roleArn"], "roleArn")
        if p.get("targetRoleArn"):
            self._check_role(p["targetRoleArn"], "targetRoleArn")
        self._validate_tags(p.get("tags"))
        assoc = self._add_pod_identity(region, cluster, p["namespace"], p["serviceAccount"], p["roleArn"], p)
        return {"association": _public(assoc)}

    def op_DescribePodIdentityAssociation(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        return {"association": _public(self._association(cluster, p["associationId"]))}

    def op_UpdatePodIdentityAssociation(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        assoc = self._association(cluster, p["associationId"])
        if assoc.get("ownerArn"):
            raise ApiError(
                "InvalidRequestException",
                f"The association {assoc['associationId']} is managed by {assoc['ownerArn']}; update the add-on instead.",
            )
        if p.get("roleArn"):
            self._check_role(p["roleArn"], "roleArn")
            assoc["roleArn"] = p["roleArn"]
        if "disableSessionTags" in p:
            assoc["disableSessionTags"] = bool(p["disableSessionTags"])
        if "targetRoleArn" in p:
            if p["targetRoleArn"]:
                self._check_role(p["targetRoleArn"], "targetRoleArn")
                assoc["targetRoleArn"] = p["targetRoleArn"]
                assoc.setdefault("externalId", str(uuid.uuid4()))
            else:
                assoc.pop("targetRoleArn", None)
                assoc.pop("externalId", None)
        if "policy" in p:
            if p["policy"]:
                assoc["policy"] = p["policy"]
            else:
                assoc.pop("policy", None)
        assoc["modifiedAt"] = _now()
        return {"association": _public(assoc)}

    def op_DeletePodIdentityAssociation(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        assoc = self._association(cluster, p["associationId"])
        if assoc.get("ownerArn"):
            raise ApiError(
                "InvalidRequestException",
                f"The association {assoc['associationId']} is managed by {assoc['ownerArn']}; update the add-on instead.",
            )
        del cluster["_pod_identity"][p["associationId"]]
        return {"association": _public(assoc)}

    def op_ListPodIdentityAssociations(self, region, p):
        cluster = self._cluster(region, p["clusterName"])
        items = [
            {
                k: a[k]
                for k in ("clusterName", "namespace", "serviceAccount", "associationArn", "associationId", "ownerArn")
                if k in a
            }
            for a in sorted(cluster["_pod_identity"].values(), key=lambda a: a["createdAt"])
            if (not p.get("namespace") or a["namespace"] == p["namespace"])
            and (not p.get("serviceAccount") or a["serviceAccount"] == p["serviceAccount"])
        ]
        return _paginate(items, p, "associations")

    # ================================================================== tags
    def _tagged(self, arn):
        match = re.match(r"^arn:aws[a-z-]*:eks:([a-z0-9-]+):(\d{12}):([a-z-]+)/(.+)$", arn or "")
        if not match:
            raise ApiError("BadRequestException", f"Invalid ARN: {arn}")
        region, kind, rest = match.group(1), match.group(3), match.group(4).split("/")
        cluster = self.clusters.get((region, rest[0]))
        if cluster is not None:
            candidates = {
                "cluster": [cluster],
                "nodegroup": list(cluster["_nodegroups"].values()),
                "addon": list(cluster["_addons"].values()),
                "fargateprofile": list(cluster["_fargate"].values()),
                "access-entry": list(cluster["_access_entries"].values()),
                "podidentityassociation": list(cluster["_pod_identity"].values()),
                "identityproviderconfig": list(cluster["_idp"].values()),
            }.get(kind, [])
            for resource in candidates:
                own = (
                    resource.get("arn")
                    or resource.get("nodegroupArn")
                    or resource.get("addonArn")
                    or resource.get("fargateProfileArn")
                    or resource.get("accessEntryArn")
                    or resource.get("associationArn")
                    or resource.get("identityProviderConfigArn")
                )
                if own == arn:
                    return resource
        raise ApiError("NotFoundException", f"Resource was not found: {arn}")

    def op_TagResource(self, region, p):
        resource = self._tagged(p["resourceArn"])
        tags = dict(resource.get("tags") or {}, **p["tags"])
        self._validate_tags(tags)
        resource["tags"] = tags
        return {}

    def op_UntagResource(self, region, p):
        resource = self._tagged(p["resourceArn"])
        resource["tags"] = {k: v for k, v in (resource.get("tags") or {}).items() if k not in p["tagKeys"]}
        return {}

    def op_ListTagsForResource(self, region, p):
        return {"tags": dict(self._tagged(p["resourceArn"]).get("tags") or {})}


# ====================================================================== helpers
def _error_body(err):
    body = {"message": err.message}
    body.update(err.fields)
    return {"__error__": err.code, **body}


def _enabled_log_types(logging, current):
    enabled = set(current)
    for setup in (logging or {}).get("clusterLogging") or []:
        for log_type in setup.get("types") or []:
            if log_type not in LOG_TYPES:
                raise _invalid(f"Log type {log_type} is not valid; valid types: {', '.join(LOG_TYPES)}")
            if setup.get("enabled"):
                enabled.add(log_type)
            else:
                enabled.discard(log_type)
    return enabled


def _logging_out(enabled):
    on = [t for t in LOG_TYPES if t in enabled]
    off = [t for t in LOG_TYPES if t not in enabled]
    out = []
    if on:
        out.append({"types": on, "enabled": True})
    if off:
        out.append({"types": off, "enabled": False})
    return out


def _check_scaling(scaling, name):
    lo, hi, want = scaling.get("minSize", 0), scaling.get("maxSize", 1), scaling.get("desiredSize", 0)
    if hi < 1:
        raise _invalid("Maximum capacity of a node group must be at least 1.", nodegroupName=name)
    if lo < 0 or want < 0:
        raise _invalid("Minimum and desired capacity of a node group cannot be negative.", nodegroupName=name)
    if not lo <= want <= hi:
        raise _invalid(
            f"Desired capacity:{want} can't be greater than max size:{hi} or less than min size:{lo}",
            nodegroupName=name,
        )


def _check_update_config(config):
    count = sum(1 for k in ("maxUnavailable", "maxUnavailablePercentage") if config.get(k) is not None)
    if count != 1:
        raise _invalid("Exactly one of maxUnavailable and maxUnavailablePercentage must be specified in updateConfig.")
    if config.get("maxUnavailable") is not None and not 1 <= config["maxUnavailable"] <= 100:
        raise _invalid("updateConfig.maxUnavailable must be between 1 and 100.")
    if config.get("maxUnavailablePercentage") is not None and not 1 <= config["maxUnavailablePercentage"] <= 100:
        raise _invalid("updateConfig.maxUnavailablePercentage must be between 1 and 100.")
    if config.get("updateStrategy") not in (None, "DEFAULT", "MINIMAL"):
        raise _invalid("updateConfig.updateStrategy must be DEFAULT or MINIMAL.")


def _check_taint(taint):
    if not taint.get("key"):
        raise _invalid("A taint needs a key.")
    if taint.get("effect") not in ("NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"):
        raise _invalid(
            f"Taint effect {taint.get('effect')!r} is not valid: NO_SCHEDULE, NO_EXECUTE, PREFER_NO_SCHEDULE."
        )
    out = {"key": taint["key"], "effect": taint["effect"]}
    if taint.get("value") is not None:
        out["value"] = taint["value"]
    return out


def _same_taint(a, b):
    return a["key"] == b["key"] and a["effect"] == b["effect"]


def _check_groups_and_username(groups, username):
    for group in groups:
        if group.startswith("system:"):
            raise _invalid(f"The kubernetes group {group} is not valid: the system: prefix is reserved.")
    if username and username.startswith(("system:", "eks:", "aws:", "amazon:", "iam:")):
        raise _invalid(f"The username {username} is not valid: its prefix is reserved.")


def _paginate(items, p, key):
    size = p.get("maxResults") or 100
    if not 1 <= size <= 100:
        raise _invalid("maxResults must be between 1 and 100.")
    start = 0
    if p.get("nextToken"):
        try:
            start = int(base64.urlsafe_b64decode(p["nextToken"].encode()).decode())
        except Exception:
            raise _invalid("The nextToken is not valid.") from None
    out = {key: items[start : start + size]}
    if start + size < len(items):
        out["nextToken"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
    return out


_model = None


def _eks_model():
    global _model
    if _model is None:
        import botocore.session

        _model = botocore.session.get_session().get_service_model("eks")
    return _model


def _request_params(operation, labels, query_string, body):
    shape = _eks_model().operation_model(operation).input_shape
    params = {}
    if body:
        try:
            params.update(json.loads(body))
        except ValueError:
            raise ApiError("BadRequestException", "The request body is not valid JSON.") from None
    query = parse_qs(query_string, keep_blank_values=True)
    for member_name, member in (shape.members.items() if shape else []):
        location = member.serialization.get("location")
        wire = member.serialization.get("name", member_name)
        if location == "uri" and wire in labels:
            params[member_name] = labels[wire]
        elif location == "querystring" and wire in query:
            values = query[wire]
            if member.type_name == "list":
                params[member_name] = values
            elif member.type_name == "integer":
                try:
                    params[member_name] = int(values[0])
                except ValueError:
                    raise _invalid(f"{member_name} must be an integer.") from None
            elif member.type_name == "boolean":
                params[member_name] = values[0].lower() == "true"
            else:
                params[member_name] = values[0]
    missing = [m for m in (shape.required_members if shape else []) if m not in params]
    if missing:
        raise _invalid(f"Missing required parameter(s): {', '.join(missing)}")
    return params


def _certificate(cluster_name):
    """A real self-signed CA certificate (PEM, base64) per cluster, as kubeconfig files carry it."""
    try:
        from datetime import datetime
        from datetime import timedelta
        from datetime import timezone

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kubernetes")])
        now = datetime.now(timezone.utc)
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        pem = cert.public_bytes(serialization.Encoding.PEM)
    except ImportError:
        pem = (
            b"-----BEGIN CERTIFICATE-----\n"
            + base64.encodebytes(secrets.token_bytes(600))
            + b"-----END CERTIFICATE-----\n"
        )
    return base64.b64encode(pem).decode()
