"""Fixtures shared by every test: the local AWS endpoint and an in-process module runner."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "ap-northeast-2",
    "AWS_REGION": "ap-northeast-2",
    # Waits poll every half second: the local endpoint's transitions take seconds.
    "AEWS_EKS_WAIT_DELAY": "0.5",
}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalAws:
    """A running local AWS endpoint: its URL, and the controls tests use."""

    def __init__(self, url, process):
        self.url = url
        self.process = process

    def post(self, path, payload=None):
        data = json.dumps(payload or {}).encode()
        request = urllib.request.Request(self.url + path, data=data, method="POST")
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body.strip() else None

    def reset(self):
        self.post("/moto-api/reset")


@pytest.fixture(scope="session")
def local_aws_server():
    port = _free_port()
    env = dict(os.environ, MOTO_IAM_LOAD_MANAGED_POLICIES="true")
    log = open(ROOT / "tests" / "output" / f"local-aws-{port}.log", "w") if (ROOT / "tests" / "output").is_dir() else subprocess.DEVNULL
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "local_aws" / "server.py"), "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("the local AWS endpoint did not start")
            time.sleep(0.2)
    yield LocalAws(url, process)
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def local_aws(local_aws_server, monkeypatch):
    """The local endpoint, reset, with the environment pointing boto3 and the modules at it."""
    local_aws_server.reset()
    for key, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", local_aws_server.url)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    yield local_aws_server
