"""EC2 as AWS answers it, where moto 5.2.5 answers otherwise (patches over moto's EC2 backend, always on).

- Deletes honour dependencies: DeleteSubnet, DeleteSecurityGroup and DeleteVpc answer DependencyViolation while
  network interfaces (or a load balancer) are in the subnet / use the group / are in the VPC, and DeleteVpc also
  while an internet gateway is attached or non-default security groups remain (moto only checked subnets).
- A NAT gateway's network interface goes with the gateway and its elastic IP is unmapped (moto kept both), and
  DeleteNatGateway of an unknown id answers NatGatewayNotFound (moto failed with HTTP 500); with the realism
  control `nat_gateway` the deletion takes time instead (realism.py).
- DescribeNatGateways honours `tag:<key>`, `tag-key` and `tag-value` filters (moto ignored them).
- Refusals moto did not make (`refusal`, checked before moto): deleting a VPC's main route table
  (DependencyViolation), a VPC's default security group (CannotDelete), releasing an associated elastic IP
  (InvalidIPAddress.InUse).
- Launch template versions keep their numbers when versions are deleted, and DeleteLaunchTemplateVersions
  (moto lacks it) is answered by `delete_launch_template_versions` over moto's backend (server.py routes it).
"""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

_PATCHED = {}
EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/"


class Ec2Error(Exception):
    def __init__(self, code, message, status=400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def _dependency(message):
    from moto.ec2.exceptions import DependencyViolationError

    return DependencyViolationError(message)


# ---------------------------------------------------------------------- dependencies
def enis_in_subnet(backend, subnet_id):
    return [eni for eni in list(backend.enis.values()) if getattr(eni.subnet, "id", None) == subnet_id]


def enis_with_group(backend, group_id):
    return [eni for eni in list(backend.enis.values()) if group_id in [g.id for g in eni._group_set]]


def enis_in_vpc(backend, vpc_id):
    return [eni for eni in list(backend.enis.values()) if getattr(eni.subnet, "vpc_id", None) == vpc_id]


def load_balancers(backend):
    """[(name, subnet ids, security group ids, vpc id)] of moto's elbv2 and elb load balancers in the region."""
    found = []
    try:
        from moto.elbv2.models import elbv2_backends

        elbv2 = (
            elbv2_backends[backend.account_id].get(backend.region_name)
            if backend.account_id in elbv2_backends
            else None
        )
        for lb in list((elbv2.load_balancers if elbv2 else {}).values()):
            found.append((lb.name, [s.id for s in lb.subnets], list(lb.security_groups or []), lb.vpc_id))
    except Exception:  # noqa: BLE001 (no elbv2 backend yet)
        pass
    try:
        from moto.elb.models import elb_backends

        elb = elb_backends[backend.account_id].get(backend.region_name) if backend.account_id in elb_backends else None
        for lb in list((elb.load_balancers if elb else {}).values()):
            found.append((lb.name, list(lb.subnets or []), list(lb.security_groups or []), lb.vpc_id))
    except Exception:  # noqa: BLE001
        pass
    return found


def _patch(cls, name, make):
    key = (cls, name)
    if key not in _PATCHED:
        _PATCHED[key] = getattr(cls, name)
        setattr(cls, name, make(_PATCHED[key]))


def install():
    """Patch moto's EC2 backend (idempotent)."""
    from moto.ec2.models import EC2Backend
    from moto.ec2.models.launch_templates import LaunchTemplate

    def delete_subnet(original):
        def patched(self, subnet_id):
            self.get_subnet(subnet_id)  # InvalidSubnetID.NotFound first
            if enis_in_subnet(self, subnet_id) or any(subnet_id in lb[1] for lb in load_balancers(self)):
                raise _dependency(f"The subnet '{subnet_id}' has dependencies and cannot be deleted.")
            return original(self, subnet_id)

        return patched

    def delete_security_group(original):
        def patched(self, name=None, group_id=None):
            group = self.get_security_group_by_name_or_id(group_id or name) if (group_id or name) else None
            if group is not None and (
                enis_with_group(self, group.id) or any(group.id in lb[2] for lb in load_balancers(self))
            ):
                raise _dependency(f"resource {group.id} has a dependent object")
            return original(self, name=name, group_id=group_id)

        return patched

    def delete_vpc(original):
        def patched(self, vpc_id):
            self.get_vpc(vpc_id)
            message = f"The vpc '{vpc_id}' has dependencies and cannot be deleted."
            if self.describe_subnets(filters={"vpc-id": vpc_id}) or enis_in_vpc(self, vpc_id):
                raise _dependency(message)
            if any(igw.vpc is not None and igw.vpc.id == vpc_id for igw in list(self.internet_gateways.values())):
                raise _dependency(message)
            if any(g.name != "default" for g in list(self.groups.get(vpc_id, {}).values())):
                raise _dependency(message)
            if any(lb[3] == vpc_id for lb in load_balancers(self)):
                raise _dependency(message)
            return original(self, vpc_id)

        return patched

    def delete_nat_gateway(original):
        def patched(self, nat_gateway_id):
            gateway = self.nat_gateways.get(nat_gateway_id)
            if gateway is None or gateway.state == "deleted":
                from moto.ec2.exceptions import EC2ClientError

                raise EC2ClientError("NatGatewayNotFound", f"The Nat Gateway {nat_gateway_id} was not found")
            hook = getattr(self, "_aews_nat_delete_hook", None)
            if hook is not None and hook(self, gateway):
                return gateway  # the realism control takes it from here (deleting -> deleted)
            original(self, nat_gateway_id)
            release_nat_gateway(self, gateway)
            return gateway

        return patched

    def create_nat_gateway(original):
        def patched(self, *args, **kwargs):
            gateway = original(self, *args, **kwargs)
            hook = getattr(self, "_aews_nat_create_hook", None)
            if hook is not None:
                hook(self, gateway)
            return gateway

        return patched

    def describe_nat_gateways(original):
        def patched(self, filters, nat_gateway_ids):
            found = original(self, filters, nat_gateway_ids)
            for name, values in (filters or {}).items():
                if name.startswith("tag:"):
                    key = name[4:]
                    found = [
                        g
                        for g in found
                        if g.get_tags() and any(t["key"] == key and t["value"] in values for t in g.get_tags())
                    ]
                elif name == "tag-key":
                    found = [g for g in found if any(t["key"] in values for t in g.get_tags())]
                elif name == "tag-value":
                    found = [g for g in found if any(t["value"] in values for t in g.get_tags())]
            return found

        return patched

    _patch(EC2Backend, "delete_subnet", delete_subnet)
    _patch(EC2Backend, "delete_security_group", delete_security_group)
    _patch(EC2Backend, "delete_vpc", delete_vpc)
    _patch(EC2Backend, "delete_nat_gateway", delete_nat_gateway)
    _patch(EC2Backend, "describe_nat_gateways", describe_nat_gateways)
    _patch(EC2Backend, "create_nat_gateway", create_nat_gateway)

    # Launch template versions are found by number (deleted versions leave gaps, numbers are never reused).
    def create_version(original):
        def patched(self, data, description):
            number = getattr(self, "_aews_next_version", len(self.versions) + 1)
            version = original(self, data, description)
            version.number = number
            self._aews_next_version = number + 1
            return version

        return patched

    def get_version(original):
        def patched(self, num):
            if str(num).lower() in ("$latest", "$default"):
                return original(self, num)
            for version in self.versions:
                if str(version.number) == str(num):
                    return version
            from moto.ec2.exceptions import InvalidLaunchTemplateVersionNotFound

            raise InvalidLaunchTemplateVersionNotFound(template_id=self.id, version=num)

        return patched

    def default_version(original):
        def patched(self):
            for version in self.versions:
                if version.number == self.default_version_number:
                    return version
            return original(self)

        return patched

    _patch(LaunchTemplate, "create_version", create_version)
    _patch(LaunchTemplate, "get_version", get_version)
    _patch(LaunchTemplate, "default_version", default_version)

    # DescribeLaunchTemplates answers the template's tags as they are now (moto keeps those it was created with,
    # so tags added later by CreateTags never showed).
    def _current_tags(self):
        return [{"Key": tag["key"], "Value": tag["value"]} for tag in self.get_tags()]

    LaunchTemplate.tags = property(_current_tags, lambda self, value: None)

    # DescribeTags names resource types as AWS does: an elastic IP's tags are of "elastic-ip", a NAT gateway's of
    # "natgateway" (moto: "vpc-elastic-ip", "nat-gateway"), so a resource-type filter finds them as on AWS.
    from moto.ec2 import utils as ec2_utils

    ec2_utils.EC2_PREFIX_TO_RESOURCE.update({"eipalloc": "elastic-ip", "nat": "natgateway"})


def release_nat_gateway(backend, gateway):
    """A deleted (or failed) NAT gateway lets go of its elastic IP and its network interface."""
    eni = getattr(gateway, "_eni", None)
    if eni is None:
        return
    for address in list(backend.addresses):
        if address.eni is eni:
            backend.disassociate_address(address=address.public_ip)
    backend.enis.pop(eni.id, None)
    gateway._eni = None


def nat_gateway_of_address(backend, address):
    """The NAT gateway (not deleted) whose network interface holds this elastic IP, or None."""
    for gateway in list(backend.nat_gateways.values()):
        if gateway.state != "deleted" and getattr(gateway, "_eni", None) is not None and address.eni is gateway._eni:
            return gateway
    return None


# ---------------------------------------------------------------------- refusals moto does not make
def refusal(backend, operation, body):
    """An Ec2Error for an EC2 call AWS refuses and moto would carry out, else None (checked before moto)."""
    if operation not in ("DeleteRouteTable", "DeleteSecurityGroup", "ReleaseAddress"):
        return None
    form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
    if operation == "DeleteRouteTable":
        table = backend.route_tables.get(form.get("RouteTableId"))
        if table is not None and table.main_association_id is not None:
            return Ec2Error(
                "DependencyViolation", f"The routeTable '{table.id}' has dependencies and cannot be deleted."
            )
    elif operation == "DeleteSecurityGroup":
        group = backend.get_security_group_from_id(form.get("GroupId") or "")
        if group is not None and group.name == "default" and getattr(group, "vpc_id", None):
            return Ec2Error(
                "CannotDelete", f'the specified group: "{group.id}" name: "default" cannot be deleted by a user'
            )
    elif operation == "ReleaseAddress":
        for address in list(backend.addresses):
            if (form.get("AllocationId") and address.allocation_id == form["AllocationId"]) or (
                form.get("PublicIp") and address.public_ip == form["PublicIp"]
            ):
                if address.eni is not None or address.instance is not None:
                    # "[Nondefault VPC] You must disassociate the Elastic IP address before you can release it."
                    return Ec2Error(
                        "InvalidIPAddress.InUse", f"Address {address.allocation_id or address.public_ip} is in use."
                    )
    return None


# ---------------------------------------------------------------------- DeleteLaunchTemplateVersions
def delete_launch_template_versions(backend, body):
    """The XML body of DeleteLaunchTemplateVersions (moto lacks it), over moto's launch templates."""
    form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
    name, template_id = form.get("LaunchTemplateName"), form.get("LaunchTemplateId")
    versions = [v for k, v in sorted(form.items()) if k.startswith("LaunchTemplateVersion.")]
    if not versions:
        raise Ec2Error("MissingParameter", "The request must contain the parameter LaunchTemplateVersion")
    if bool(name) == bool(template_id):
        raise Ec2Error(
            "InvalidParameterCombination" if name else "MissingParameter",
            (
                "Specify either the launch template ID or the launch template name, not both."
                if name
                else "The request must contain the parameter launchTemplateName or launchTemplateId"
            ),
        )
    try:
        template = backend.get_launch_template_by_name(name) if name else backend.get_launch_template(template_id)
    except Exception:  # noqa: BLE001
        if name:
            raise Ec2Error(
                "InvalidLaunchTemplateName.NotFoundException",
                "At least one of the launch templates specified in the request does not exist.",
            ) from None
        raise Ec2Error(
            "InvalidLaunchTemplateId.NotFound",
            f"The specified launch template, with template ID {template_id}, does not exist.",
        ) from None
    ok, failed = [], []
    for number in versions:
        version = next((v for v in template.versions if str(v.number) == str(number)), None)
        if version is None:
            failed.append(
                (number, "launchTemplateVersionDoesNotExist", "The specified launch template version does not exist.")
            )
        elif template.default_version_number == version.number:
            failed.append((number, "unexpectedError", "Cannot delete the default version of a launch template."))
        else:
            template.versions.remove(version)
            ok.append(number)
    item = f"<launchTemplateId>{template.id}</launchTemplateId><launchTemplateName>{escape(template.name)}</launchTemplateName>"
    success = "".join(f"<item>{item}<versionNumber>{n}</versionNumber></item>" for n in ok)
    failure = "".join(
        f"<item>{item}<versionNumber>{n}</versionNumber><responseError><code>{c}</code><message>{escape(m)}</message>"
        "</responseError></item>"
        for n, c, m in failed
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<DeleteLaunchTemplateVersionsResponse xmlns="{EC2_NS}">'
        f"<requestId>{uuid.uuid4()}</requestId>"
        f"<successfullyDeletedLaunchTemplateVersionSet>{success}</successfullyDeletedLaunchTemplateVersionSet>"
        f"<unsuccessfullyDeletedLaunchTemplateVersionSet>{failure}</unsuccessfullyDeletedLaunchTemplateVersionSet>"
        "</DeleteLaunchTemplateVersionsResponse>"
    ).encode()
