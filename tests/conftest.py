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

    # Transition times the tests run with (seconds); the server's own defaults suit a demo.
    TEST_DELAYS = {"cluster": 0.2, "nodegroup": 0.2, "addon": 0.1, "update": 0.2}

    def _call(self, method, path, payload=None):
        data = json.dumps(payload or {}).encode() if method in ("POST", "PUT", "DELETE") else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body.strip() else None

    def post(self, path, payload=None):
        return self._call("POST", path, payload)

    def get(self, path):
        return self._call("GET", path)

    def reset(self):
        """Empty every backend, the EKS state, the controls, the problems and the request log; test-sized delays;
        the realism controls off (profile ideal)."""
        self.post("/_aews/reset")
        self.configure(delays=self.TEST_DELAYS, scale=1.0)

    def configure(self, delays=None, scale=None, strict=None, withdrawn_addons=None):
        """Transition delays per kind (cluster, nodegroup, addon, update), their scale, strict reference checks,
        add-ons EKS offers no version of for some Kubernetes versions ({name: [versions]})."""
        payload = {}
        if withdrawn_addons is not None:
            payload["withdrawn_addons"] = withdrawn_addons
        if delays is not None:
            payload["delays"] = delays
        if scale is not None:
            payload["scale"] = scale
        if strict is not None:
            payload["strict"] = strict
        return self.post("/_aews/config", payload)

    def faults(self, **faults):
        """throttle_rate, error_rate, operations, seed, limit, fail_next, bucket (see tests/local_aws/README.md)."""
        return self.post("/_aews/faults", faults)

    def realism(self, profile=None, **controls):
        """AWS's everyday failures: profile "realistic" (all on, AWS-like defaults) or "ideal" (all off), and/or
        single controls: iam_propagation=[min_s, max_s], seed, ec2_lag=s, nat_gateway={"create": s, "delete": s},
        eni_linger=s, quotas={...}, unsupported_zones=[...], service_linked_roles=bool (seconds times scale)."""
        payload = dict(controls)
        if profile is not None:
            payload["profile"] = profile
        return self.post("/_aews/config", payload)

    def load_balancer(self, cluster, kind="service", name=None):
        """A Kubernetes Service of type LoadBalancer (kind "service": an NLB) or an Ingress (kind "alb") on the
        cluster: the load balancer, its security group, its network interfaces and the cluster group's rule."""
        payload = {"cluster": cluster, "kind": kind}
        if name is not None:
            payload["name"] = name
        return self.post("/_aews/load_balancer", payload)

    def delete_load_balancer(self, name):
        """What the Kubernetes controllers do when the Service or Ingress goes."""
        return self._call("DELETE", "/_aews/load_balancer", {"name": name})

    def load_balancers(self):
        return self.get("/_aews/load_balancer")["load_balancers"]

    def problems(self):
        """Answers no AWS service gives to a valid call (HTTP 500, not implemented) and EKS responses off their
        shape, since the last reset."""
        return self.get("/_aews/problems")["problems"]

    def inject(self, **injection):
        """Make a cluster / nodegroup / addon / update end its current or next transition failed."""
        return self.post("/_aews/inject", injection)

    def requests(self, service=None, mutating=None):
        """The request log, optionally only one service's calls, or only mutating (or read) calls."""
        entries = self.get("/_aews/requests")["requests"]
        if service is not None:
            entries = [e for e in entries if e["service"] == service]
        if mutating is not None:
            entries = [e for e in entries if e["mutating"] == mutating]
        return entries

    def clear_requests(self):
        self._call("DELETE", "/_aews/requests")


@pytest.fixture(scope="session")
def local_aws_server():
    port = _free_port()
    env = dict(os.environ, MOTO_IAM_LOAD_MANAGED_POLICIES="true")
    log = (
        open(ROOT / "tests" / "output" / f"local-aws-{port}.log", "w")
        if (ROOT / "tests" / "output").is_dir()
        else subprocess.DEVNULL
    )
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
    # The endpoint answered something AWS never answers (a 500 it was not asked to inject, an operation it
    # does not implement): the test passed against a gap of the endpoint, not against AWS's behaviour.
    problems = local_aws_server.problems()
    if problems:
        pytest.fail(
            "the local AWS endpoint recorded problems (GET /_aews/problems):\n" + "\n".join(problems), pytrace=False
        )
