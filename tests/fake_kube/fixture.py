"""A fake Kubernetes API server for one test: ``running(directory)`` starts one on 127.0.0.1 that takes one bearer
token, writes a kubeconfig for it (``kube.kubeconfig_path``) in ``directory`` and stops it at the end. A test module
makes it its fixture:

    @pytest.fixture
    def fake_kube(tmp_path):
        with running(tmp_path) as kube:
            yield kube
"""

from __future__ import annotations

import contextlib
import secrets

import yaml
from fake_kube.server import FakeKube


@contextlib.contextmanager
def running(directory):
    kube = FakeKube(token=secrets.token_hex(16)).start()
    try:
        path = directory / "kubeconfig-fake"
        path.write_text(yaml.safe_dump(kube.kubeconfig()))
        path.chmod(0o600)
        kube.kubeconfig_path = path
        yield kube
    finally:
        kube.stop()
