"""Helpers for the local endpoint tests: shape-checked clients, polling and error inspection."""

from __future__ import annotations

import json
import time

import boto3
from botocore.config import Config
from botocore.validate import ParamValidator

REGION = "ap-northeast-2"


class ShapeChecked:
    """A boto3 EKS client whose responses are validated against the operation's output shape, twice:
    the raw JSON on the wire (catches members the model does not have) and the parsed response."""

    def __init__(self, client):
        self.client = client
        self.validated = set()
        self._raw = {}
        client.meta.events.register("before-parse.eks.*", self._capture)

    def _capture(self, operation_model, response_dict, **kwargs):
        if response_dict["status_code"] < 300:
            self._raw[operation_model.name] = response_dict["body"]

    def __getattr__(self, name):
        method = getattr(self.client, name)
        if not callable(method) or name.startswith(("get_", "can_")):
            return method

        def call(**params):
            response = method(**params)
            operation = self.client.meta.method_to_api_mapping[name]
            shape = self.client.meta.service_model.operation_model(operation).output_shape
            parsed = {k: v for k, v in response.items() if k != "ResponseMetadata"}
            raw = json.loads(self._raw.pop(operation) or b"{}")
            for label, data in (("raw", raw), ("parsed", parsed)):
                report = ParamValidator().validate(data, shape)
                assert not report.has_errors(), f"{operation} {label} response: {report.generate_report()}"
            self.validated.add(operation)
            return response

        return call


def client(service, **config):
    return boto3.client(service, region_name=REGION, config=Config(**config) if config else None)


def wait_for(describe, path, wanted, timeout=10):
    """Poll describe() until the value at path (a list of keys) is one of wanted; return the last response."""
    deadline = time.monotonic() + timeout
    while True:
        response = describe()
        value = response
        for key in path:
            value = value[key]
        if value in wanted:
            return response
        assert time.monotonic() < deadline, f"{'.'.join(path)} stayed {value}, wanted {wanted}"
        time.sleep(0.05)


def gone(call):
    """True when call() raises ResourceNotFoundException."""
    try:
        call()
    except Exception as e:  # noqa: BLE001 (the code is what matters)
        return getattr(e, "response", {}).get("Error", {}).get("Code") == "ResourceNotFoundException"
    return False


def wait_gone(call, timeout=10):
    deadline = time.monotonic() + timeout
    while not gone(call):
        assert time.monotonic() < deadline, "the resource was not deleted in time"
        time.sleep(0.05)


def error_of(call):
    """(code, HTTP status) of the ClientError call() raises."""
    try:
        call()
    except Exception as e:  # noqa: BLE001
        response = getattr(e, "response", None)
        assert response, f"expected an AWS error, got {e!r}"
        return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]
    raise AssertionError("expected an AWS error, the call succeeded")
