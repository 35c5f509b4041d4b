"""EC2 subnet attributes as AWS answers them, where moto 5.2.5 differs (a patch over moto's response, always on).

- ``ModifySubnetAttribute`` with ``PrivateDnsHostnameTypeOnLaunch`` (``ip-name`` or ``resource-name``) sets the
  subnet's ``PrivateDnsNameOptionsOnLaunch.HostnameType``, which ``DescribeSubnets`` returns (moto ignored the
  parameter and kept ``ip-name``); another value answers ``InvalidParameterValue`` as EC2 does. The other attributes
  are left to moto.
"""

from __future__ import annotations

HOSTNAME_TYPES = ("ip-name", "resource-name")
_PATCHED = {}


def set_hostname_type(backend, subnet_id, value):
    """Set the hostname type of a subnet of ``backend`` (moto's EC2 backend); raises moto's errors as EC2 words them."""
    from moto.ec2.exceptions import InvalidParameterValueError

    if value not in HOSTNAME_TYPES:
        raise InvalidParameterValueError(value)
    subnet = backend.get_subnet(subnet_id)  # InvalidSubnetID.NotFound as EC2
    subnet.private_dns_name_options_on_launch["HostnameType"] = value


def install():
    """Patch moto's ModifySubnetAttribute response (idempotent)."""
    from moto.ec2.responses.subnets import Subnets

    key = (Subnets, "modify_subnet_attribute")
    if key in _PATCHED:
        return
    original = _PATCHED[key] = Subnets.modify_subnet_attribute

    def modify_subnet_attribute(self):
        value = self._get_param("PrivateDnsHostnameTypeOnLaunch")
        if value is not None:
            set_hostname_type(self.ec2_backend, self._get_param("SubnetId"), value)
        return original(self)

    Subnets.modify_subnet_attribute = modify_subnet_attribute
