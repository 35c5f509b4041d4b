"""IAM operations moto lacks, served over moto's own IAM backend (the query protocol, as IAM speaks it).

AddClientIDToOpenIDConnectProvider and RemoveClientIDFromOpenIDConnectProvider change the client ID list of an
OpenID Connect provider moto holds, so that the providers read back through moto show the change.
DeleteOpenIDConnectProvider of a provider that does not exist is NoSuchEntity, as IAM answers (moto succeeded).
"""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs

OPERATIONS = ("AddClientIDToOpenIDConnectProvider", "RemoveClientIDFromOpenIDConnectProvider")
_NS = "https://iam.amazonaws.com/doc/2010-05-08/"


class IamError(Exception):
    def __init__(self, code, status, message):
        super().__init__(message)
        self.code, self.status, self.message = code, status, message


def refusal(account_id, operation, body):
    """An IamError for an IAM call AWS refuses and moto would answer with success, else None."""
    if operation != "DeleteOpenIDConnectProvider":
        return None
    from moto.iam.models import iam_backends

    arn = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}.get("OpenIDConnectProviderArn")
    if arn and arn not in iam_backends[account_id]["global"].open_id_providers:
        return IamError("NoSuchEntity", 404, f"OpenIDConnect Provider not found for arn {arn}")
    return None


def handle(account_id, operation, body):
    """The XML body of a successful response to an IAM operation of OPERATIONS; raises IamError."""
    from moto.iam.models import iam_backends

    form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
    arn, client_id = form.get("OpenIDConnectProviderArn"), form.get("ClientID")
    if not arn:
        raise IamError("ValidationError", 400, "1 validation error detected: OpenIDConnectProviderArn is required")
    if client_id is None or not 1 <= len(client_id) <= 255:
        raise IamError("ValidationError", 400, "1 validation error detected: ClientID must be 1 to 255 characters")
    provider = iam_backends[account_id]["global"].open_id_providers.get(arn)
    if provider is None:
        raise IamError("NoSuchEntity", 404, f"OpenIDConnect Provider not found for arn {arn}")
    if operation == "AddClientIDToOpenIDConnectProvider":
        if client_id not in provider.client_id_list:
            if len(provider.client_id_list) >= 100:
                raise IamError("LimitExceeded", 409, "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100")
            provider.client_id_list.append(client_id)
    elif client_id in provider.client_id_list:
        provider.client_id_list.remove(client_id)
    return (
        f'<{operation}Response xmlns="{_NS}"><ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId>'
        f"</ResponseMetadata></{operation}Response>"
    ).encode()
