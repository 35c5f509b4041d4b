"""The ``fake_kube`` pytest fixture: a fake Kubernetes API server on 127.0.0.1 for one test, and its kubeconfig file."""

from __future__ import annotations

import secrets

import pytest
import yaml
from fake_kube.server import FakeKube


@pytest.fixture
def fake_kube(tmp_path):
    """A running FakeKube that takes one bearer token; ``fake_kube.kubeconfig_path`` is a kubeconfig for it."""
    kube = FakeKube(token=secrets.token_hex(16)).start()
    path = tmp_path / "kubeconfig-fake"
    path.write_text(yaml.safe_dump(kube.kubeconfig()))
    path.chmod(0o600)
    kube.kubeconfig_path = path
    yield kube
    kube.stop()
