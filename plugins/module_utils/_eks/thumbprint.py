# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The thumbprint IAM keeps for an OIDC provider: the SHA-1 of the root certificate the issuer's TLS server presents,
as `eksctl utils associate-iam-oidc-provider` computes it."""

from __future__ import annotations

import hashlib
import socket
import ssl
from urllib.parse import urlparse

from .errors import EksError


def thumbprint_of(der_certificate):
    """IAM's thumbprint of a certificate: the SHA-1 of its DER encoding, in lowercase hex."""
    # IAM defines thumbprints as SHA-1; not a security use, so FIPS hosts allow it.
    return hashlib.sha1(der_certificate, usedforsecurity=False).hexdigest()


def fetch_issuer_thumbprint(issuer, port=443, timeout=10, context=None):
    """The thumbprint of the last certificate of the chain the issuer's TLS server presents (its root CA).

    Python 3.13 has SSLSocket.get_unverified_chain(); before, the same call lives on the private _sslobj.
    """
    host = urlparse(issuer).hostname
    context = context or ssl.create_default_context()
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            with context.wrap_socket(sock, server_hostname=host) as tls:
                getter = getattr(tls, "get_unverified_chain", None) or getattr(tls._sslobj, "get_unverified_chain")
                chain = getter() or []
    except (OSError, AttributeError) as e:
        raise EksError(
            f"could not read the TLS certificate chain of {issuer} ({e}); give thumbprints instead"
        ) from None
    if not chain:
        raise EksError(f"{issuer} presented no certificate; give thumbprints instead")
    last = chain[-1]
    der = last if isinstance(last, bytes) else ssl.PEM_cert_to_DER_cert(last.public_bytes())
    return thumbprint_of(der)
