"""The thumbprint of an OIDC issuer: the SHA-1 of the root certificate its TLS server presents."""

from __future__ import annotations

import datetime
import hashlib
import socket
import ssl
import threading

import pytest

from ansible_collections.aews.eks.plugins.module_utils._eks import thumbprint as tp
from ansible_collections.aews.eks.plugins.module_utils._eks.errors import EksError


def test_fetch_issuer_thumbprint_hashes_the_last_certificate_of_the_chain(tmp_path):
    """A local TLS server with a root CA and a leaf: the thumbprint is the root's, as eksctl computes it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def make(subject, issuer_name, key, signing_key, ca):
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if not ca:
            builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        return builder.sign(signing_key, hashes.SHA256())

    root_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    root = make("test root", "test root", root_key, root_key, True)
    leaf = make("localhost", "test root", leaf_key, root_key, False)

    def pem(certificate):
        return certificate.public_bytes(serialization.Encoding.PEM)

    (tmp_path / "chain.pem").write_bytes(pem(leaf) + pem(root))
    (tmp_path / "key.pem").write_bytes(
        leaf_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    (tmp_path / "root.pem").write_bytes(pem(root))

    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(tmp_path / "chain.pem", tmp_path / "key.pem")
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve():
        connection, _address = listener.accept()
        try:
            with server_context.wrap_socket(connection, server_side=True) as tls:
                tls.recv(1)
        except (OSError, ssl.SSLError):
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    client_context = ssl.create_default_context(cafile=str(tmp_path / "root.pem"))
    try:
        thumbprint = tp.fetch_issuer_thumbprint("https://localhost/id/X", port=port, context=client_context)
    finally:
        thread.join(timeout=5)
        listener.close()
    root_der = root.public_bytes(serialization.Encoding.DER)
    assert thumbprint == hashlib.sha1(root_der).hexdigest()
    assert thumbprint != hashlib.sha1(leaf.public_bytes(serialization.Encoding.DER)).hexdigest()


def test_fetch_issuer_thumbprint_reports_an_unreachable_issuer():
    with pytest.raises(EksError, match="give thumbprints instead"):
        tp.fetch_issuer_thumbprint("https://127.0.0.1/id/X", port=1, timeout=2)


def test_thumbprint_of_is_the_lowercase_sha1_of_the_der_bytes():
    assert tp.thumbprint_of(b"certificate") == hashlib.sha1(b"certificate").hexdigest()
