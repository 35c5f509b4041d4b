"""Clusters: CreateCluster, DescribeCluster, ListClusters, DeleteCluster, DescribeClusterVersions; the
endpoint, CA certificate and OIDC issuer a cluster gets at ACTIVE. Cluster updates: cluster_updates.py."""

from __future__ import annotations

import base64
import copy
import re
import secrets
import uuid

from .. import catalogue
from .common import LOG_TYPES
from .common import AUTH_MODES
from .common import ACCESS_POLICY_ARN
from .common import ApiError
from .common import _invalid
from .common import _public
from .common import _scaling_tier
from .common import _hex
from .common import _now
from .common import _paginate


class Clusters:
    """Cluster operations (not updates)."""

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
        if "controlPlaneScalingConfig" in p:
            _scaling_tier(p["controlPlaneScalingConfig"], name)
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
        auto_mode_node_role = self._auto_mode_checked(None, p, mode)  # eks/auto_mode.py
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
        self._auto_mode_node_access(cluster, auto_mode_node_role)

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
