"""VPC endpoints as EC2 answers them, where moto 5.2.5 differs (patches over moto's EC2 backend, always on).

- ``CreateVpcEndpoint`` of an interface endpoint with ``PrivateDnsEnabled`` in a VPC without DNS support or DNS
  hostnames answers ``InvalidParameter`` ("Enabling private DNS requires both enableDnsSupport and
  enableDnsHostnames VPC attributes set to true for vpc-..."), as EC2 does; moto accepted it.
- An interface endpoint's network interfaces are the endpoint's: its security groups (moto gave them the VPC's
  default group, so the endpoint's group could be deleted under it), an address of the subnet, interface type
  ``vpc_endpoint``, status ``in-use``, requester managed, description "VPC Endpoint Interface vpce-...". They go with
  the endpoint, as in moto.
- ``ModifyVpcEndpoint`` adds or removes the gateway endpoint's prefix list route of the route tables it adds or
  removes (moto only changed the list), moves the interface endpoint's network interfaces with the subnets it adds or
  removes, sets the groups of those interfaces, and honours ``PrivateDnsEnabled`` (moto ignored it).
- ``DescribeVpcEndpoints`` honours the ``vpc-endpoint-id`` and ``service-name`` filters (moto failed on them).
- ``DeleteVpc`` answers ``DependencyViolation`` while an endpoint of the VPC is not deleted (moto deleted the VPC
  under a gateway endpoint).
"""

from __future__ import annotations

import ipaddress
import random

_PATCHED = {}


def _patch(cls, name, make):
    key = (cls, name)
    if key not in _PATCHED:
        _PATCHED[key] = getattr(cls, name)
        setattr(cls, name, make(_PATCHED[key]))


def _address_in(subnet, taken):
    """A free address of the subnet (EC2 keeps the first four and the last)."""
    network = ipaddress.ip_network(subnet.cidr_block)
    hosts = list(network.hosts())[3:-1] or list(network.hosts())
    rng = random.Random(subnet.id)
    for _attempt in range(64):
        candidate = str(rng.choice(hosts))
        if candidate not in taken:
            return candidate
    return str(hosts[0])


def _taken(backend, subnet_id):
    return {
        getattr(eni, "private_ip_address", None)
        for eni in list(backend.enis.values())
        if getattr(eni.subnet, "id", None) == subnet_id
    }


def _own_interface(backend, endpoint, eni):
    eni.description = f"VPC Endpoint Interface {endpoint.id}"
    eni.interface_type = "vpc_endpoint"
    eni.status = "in-use"
    eni.requester_managed = True
    eni._group_set = [backend.get_security_group_from_id(g) for g in endpoint.security_group_ids]
    eni._group_set = [g for g in eni._group_set if g is not None]
    address = _address_in(eni.subnet, _taken(backend, eni.subnet.id))
    eni.private_ip_address = address
    if getattr(eni, "private_ip_addresses", None):
        eni.private_ip_addresses = [{"Primary": True, "PrivateIpAddress": address}]


def _interface(backend, endpoint, subnet_id):
    eni = backend.create_network_interface(subnet_id, "10.255.255.255")
    _own_interface(backend, endpoint, eni)
    return eni


def install():
    """Patch moto's EC2 backend (idempotent)."""
    from moto.ec2.exceptions import DependencyViolationError
    from moto.ec2.exceptions import InvalidParameterValueError  # noqa: F401 (moto's module is loaded)
    from moto.ec2.exceptions import EC2ClientError
    from moto.ec2.models import EC2Backend

    def create_vpc_endpoint(original):
        def patched(self, vpc_id, service_name, endpoint_type, *args, **kwargs):
            vpc = self.get_vpc(vpc_id)
            interface = bool(endpoint_type) and endpoint_type.lower() == "interface"
            if (
                interface
                and kwargs.get("private_dns_enabled")
                and not (vpc.enable_dns_support in (True, "true") and vpc.enable_dns_hostnames in (True, "true"))
            ):
                raise EC2ClientError(
                    "InvalidParameter",
                    "Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to"
                    f" true for {vpc_id}",
                )
            endpoint = original(self, vpc_id, service_name, endpoint_type, *args, **kwargs)
            if interface:
                for eni_id in endpoint.network_interface_ids:
                    _own_interface(self, endpoint, self.enis[eni_id])
            return endpoint

        return patched

    def modify_vpc_endpoint(original):
        def patched(self, vpc_id, policy_doc, add_subnets, remove_subnets, remove_route_tables, add_route_tables,
                    add_security_groups, remove_security_groups):  # fmt: skip
            endpoint = self.describe_vpc_endpoints(vpc_end_point_ids=[vpc_id])[0]
            before_tables = list(endpoint.route_table_ids or [])
            before_subnets = list(endpoint.subnet_ids or [])
            original(self, vpc_id, policy_doc, add_subnets, remove_subnets, remove_route_tables, add_route_tables,
                     add_security_groups, remove_security_groups)  # fmt: skip
            private_dns = getattr(self, "_aews_private_dns", None)
            if private_dns is not None:
                endpoint.private_dns_enabled = private_dns
            if (endpoint.vpc_endpoint_type or "").lower() == "interface":
                for subnet_id in [s for s in endpoint.subnet_ids or [] if s not in before_subnets]:
                    endpoint.network_interface_ids.append(_interface(self, endpoint, subnet_id).id)
                for eni_id in list(endpoint.network_interface_ids):
                    eni = self.enis.get(eni_id)
                    if eni is None:
                        continue
                    if eni.subnet.id not in (endpoint.subnet_ids or []):
                        self.enis.pop(eni_id, None)
                        endpoint.network_interface_ids.remove(eni_id)
                    else:
                        _own_interface(self, endpoint, eni)
            elif endpoint.destination_prefix_list_id:
                for table_id in [t for t in endpoint.route_table_ids if t not in before_tables]:
                    self.create_route(table_id, None, gateway_id=endpoint.id,
                                      destination_prefix_list_id=endpoint.destination_prefix_list_id)  # fmt: skip
                for table_id in [t for t in before_tables if t not in endpoint.route_table_ids]:
                    self.delete_route(table_id, endpoint.destination_prefix_list_id)

        return patched

    def delete_vpc(original):
        def patched(self, vpc_id):
            live = [e for e in list(self.vpc_end_points.values()) if e.vpc_id == vpc_id and e.state != "deleted"]
            if live:
                raise DependencyViolationError(f"The vpc '{vpc_id}' has dependencies and cannot be deleted.")
            return original(self, vpc_id)

        return patched

    from moto.ec2.models.vpcs import VPCEndPoint

    def get_filter_value(original):
        def patched(self, filter_name, method_name=None):
            if filter_name == "vpc-endpoint-id":
                return self.id
            if filter_name == "service-name":
                return self.service_name
            return original(self, filter_name, method_name)

        return patched

    _patch(VPCEndPoint, "get_filter_value", get_filter_value)
    _patch(EC2Backend, "create_vpc_endpoint", create_vpc_endpoint)
    _patch(EC2Backend, "modify_vpc_endpoint", modify_vpc_endpoint)
    _patch(EC2Backend, "delete_vpc", delete_vpc)

    from moto.ec2.responses.vpcs import VPCs

    def modify_response(original):
        def patched(self):
            value = self._get_param("PrivateDnsEnabled")
            self.ec2_backend._aews_private_dns = None if value is None else str(value).lower() == "true"
            try:
                return original(self)
            finally:
                self.ec2_backend._aews_private_dns = None

        return patched

    _patch(VPCs, "modify_vpc_endpoint", modify_response)
