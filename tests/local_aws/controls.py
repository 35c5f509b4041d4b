"""Test and benchmark controls of the local endpoint: delays, fault injection, failure injection, request log.

Everything here is plain state behind one lock; server.py exposes it under /_aews/ and consults it on
every API call. See README.md for the HTTP interface.
"""

from __future__ import annotations

import copy
import json
import random
import re
import threading
import time
from datetime import datetime
from datetime import timezone
from urllib.parse import parse_qs
from urllib.parse import unquote

DEFAULT_DELAYS = {"cluster": 3.0, "nodegroup": 2.0, "addon": 1.0, "update": 2.0}
KINDS = tuple(DEFAULT_DELAYS)
READ_PREFIXES = ("Describe", "List", "Get")


class ControlError(ValueError):
    """A bad request to a control endpoint (HTTP 400)."""


class Controls:
    def __init__(self, log_path=None):
        self.lock = threading.RLock()
        self.log_path = log_path
        self.realism = None  # realism.Realism, attached by server.py
        self.access = None  # access.Access (enforce_iam), attached by server.py
        self.reset()

    # ------------------------------------------------------------------ state
    def reset(self):
        with self.lock:
            self.delays = dict(DEFAULT_DELAYS)
            self.scale = 1.0
            self.strict = True
            # add-on name -> Kubernetes versions EKS offers no version of it for (DescribeAddonVersions)
            self.withdrawn_addons = {}
            self.faults = _Faults({})
            self.injections = []
            self.log = []
            self.problems = []  # the endpoint's own bugs (and moto's): calls answered 500 / not implemented

    def delay(self, kind):
        with self.lock:
            return max(0.0, float(self.delays[kind]) * float(self.scale))

    def configure(self, payload):
        with self.lock:
            delays = payload.get("delays") or {}
            if not isinstance(delays, dict):
                raise ControlError("delays must be an object of kind: seconds")
            for kind, seconds in delays.items():
                if kind not in KINDS:
                    raise ControlError(f"unknown delay kind {kind!r}; kinds are {', '.join(KINDS)}")
                if not isinstance(seconds, (int, float)) or seconds < 0:
                    raise ControlError(f"delay {kind} must be a number of seconds >= 0")
                self.delays[kind] = float(seconds)
            if "scale" in payload:
                if not isinstance(payload["scale"], (int, float)) or payload["scale"] < 0:
                    raise ControlError("scale must be a number >= 0")
                self.scale = float(payload["scale"])
            if "strict" in payload:
                self.strict = bool(payload["strict"])
            if "withdrawn_addons" in payload:
                withdrawn = payload["withdrawn_addons"]
                if not isinstance(withdrawn, dict) or not all(
                    isinstance(v, list) and all(isinstance(x, str) for x in v) for v in withdrawn.values()
                ):
                    raise ControlError("withdrawn_addons must be an object of add-on name: [Kubernetes versions]")
                self.withdrawn_addons = {str(k): list(v) for k, v in withdrawn.items()}
            if self.realism is not None:
                self.realism.configure(payload)
            if self.access is not None:
                self.access.configure(payload)
            return self.config()

    def config(self):
        with self.lock:
            config = {
                "delays": dict(self.delays),
                "scale": self.scale,
                "strict": self.strict,
                "withdrawn_addons": copy.deepcopy(self.withdrawn_addons),
            }
            if self.realism is not None:
                config.update(self.realism.describe())
            if self.access is not None:
                config.update(self.access.describe())
            return config

    # ------------------------------------------------------------------ faults
    def set_faults(self, payload):
        with self.lock:
            self.faults = _Faults(payload)
            return self.faults.describe()

    def fault_for(self, service, operation, json_protocol=False):
        """None, or (code, HTTP status, message) for a fault to return instead of calling the API."""
        with self.lock:
            return self.faults.draw(service, operation, json_protocol)

    # ------------------------------------------------------------------ failure injection
    def inject(self, payload):
        kind = payload.get("kind")
        if kind not in ("cluster", "nodegroup", "addon", "update"):
            raise ControlError("kind must be one of cluster, nodegroup, addon, update")
        if not payload.get("cluster"):
            raise ControlError("cluster (the cluster name) is required")
        name = payload.get("name")
        if kind in ("nodegroup", "addon"):
            name = payload.get(kind) or name
            if not name:
                raise ControlError(f"{kind} (the {kind} name) is required for kind {kind}")
        for key in ("health_issues", "errors"):
            if key in payload and not isinstance(payload[key], list):
                raise ControlError(f"{key} must be a list of objects")
        injection = {
            "kind": kind,
            "cluster": payload["cluster"],
            "name": name,
            "nodegroup": payload.get("nodegroup") if kind == "update" else None,
            "addon": payload.get("addon") if kind == "update" else None,
            "update_id": payload.get("update_id"),
            "status": payload.get("status"),
            "health_issues": payload.get("health_issues"),
            "errors": payload.get("errors"),
            "now": bool(payload.get("now")),
        }
        with self.lock:
            self.injections.append(injection)
        return injection

    def take_injection(self, kind, cluster, name=None, update=None):
        """Remove and return the first pending injection for this resource (or this update), or None."""
        with self.lock:
            for i, inj in enumerate(self.injections):
                if inj["kind"] != kind or inj["cluster"] != cluster:
                    continue
                if kind in ("nodegroup", "addon") and inj["name"] != name:
                    continue
                if kind == "update":
                    if inj["update_id"] and inj["update_id"] != update["id"]:
                        continue
                    if not inj["update_id"] and (
                        inj["nodegroup"] != update.get("_nodegroup") or inj["addon"] != update.get("_addon")
                    ):
                        continue
                return self.injections.pop(i)
        return None

    # ------------------------------------------------------------------ request log
    def record(self, entry):
        line = json.dumps(entry, sort_keys=True)
        with self.lock:
            self.log.append(entry)
            if self.log_path:
                with open(self.log_path, "a", encoding="utf-8") as f:
                    f.write(line + "\n")

    def problem(self, text):
        with self.lock:
            self.problems.append(text)

    def requests(self, since=0):
        with self.lock:
            return list(self.log[since:])


class _Faults:
    """Fault injection: rates of throttling and internal errors, and "fail the next N calls of X"."""

    def __init__(self, payload):
        if not isinstance(payload, dict):
            raise ControlError("faults must be an object")
        self.throttle_rate = _rate(payload, "throttle_rate")
        self.error_rate = _rate(payload, "error_rate")
        if self.throttle_rate + self.error_rate > 1:
            raise ControlError("throttle_rate + error_rate must not exceed 1")
        self.operations = list(payload.get("operations") or [])
        self.limit = payload.get("limit")
        if self.limit is not None and (not isinstance(self.limit, int) or self.limit < 0):
            raise ControlError("limit must be an integer >= 0")
        self.seed = payload.get("seed", 0)
        self.random = random.Random(self.seed)
        self.injected = 0
        bucket = payload.get("bucket")
        if bucket is not None:
            if not isinstance(bucket, dict) or set(bucket) - {"rate", "burst"} or "rate" not in bucket:
                raise ControlError('bucket must be {"rate": requests per second, "burst": requests}')
            rate, burst = bucket["rate"], bucket.get("burst", 1)
            if isinstance(rate, bool) or not isinstance(rate, (int, float)) or rate < 0:
                raise ControlError("bucket.rate must be a number of requests per second >= 0")
            if isinstance(burst, bool) or not isinstance(burst, (int, float)) or burst < 1:
                raise ControlError("bucket.burst must be a number of requests >= 1")
            bucket = {"rate": float(rate), "burst": float(burst)}
        self.bucket = bucket
        self.buckets = {}  # service -> [tokens, last refill time]
        fail_next = payload.get("fail_next") or []
        if isinstance(fail_next, dict):
            fail_next = [fail_next]
        self.fail_next = []
        for item in fail_next:
            if not isinstance(item, dict) or not item.get("operation"):
                raise ControlError("fail_next items need an operation")
            count = item.get("count", 1)
            if not isinstance(count, int) or count < 0:
                raise ControlError("fail_next count must be an integer >= 0")
            code, status, message = _error_spec(item.get("error", "ThrottlingException"))
            self.fail_next.append(
                {"operation": item["operation"], "count": count, "code": code, "status": status, "message": message}
            )

    def describe(self):
        return {
            "throttle_rate": self.throttle_rate,
            "error_rate": self.error_rate,
            "operations": self.operations,
            "limit": self.limit,
            "seed": self.seed,
            "injected": self.injected,
            "fail_next": [dict(f) for f in self.fail_next],
            "bucket": dict(self.bucket) if self.bucket else None,
        }

    def draw(self, service, operation, json_protocol=False):
        for item in self.fail_next:
            if item["count"] > 0 and _matches(item["operation"], service, operation):
                item["count"] -= 1
                self.injected += 1
                if item["code"] == "throttle":
                    return throttling_error(service, json_protocol)
                return item["code"], item["status"], item["message"]
        if not (self.throttle_rate or self.error_rate or self.bucket):
            return None
        if self.operations and not any(_matches(op, service, operation) for op in self.operations):
            return None
        if self.limit is not None and self.injected >= self.limit:
            return None
        if self.bucket:
            now = time.monotonic()
            tokens, last = self.buckets.get(service, (self.bucket["burst"], now))
            tokens = min(self.bucket["burst"], tokens + (now - last) * self.bucket["rate"])
            if tokens < 1:
                self.buckets[service] = (tokens, now)
                self.injected += 1
                return throttling_error(service, json_protocol)
            self.buckets[service] = (tokens - 1, now)
        if not (self.throttle_rate or self.error_rate):
            return None
        roll = self.random.random()
        if roll < self.throttle_rate:
            self.injected += 1
            return throttling_error(service, json_protocol)
        if roll < self.throttle_rate + self.error_rate:
            self.injected += 1
            return internal_error(service)
        return None


# Each service's own throttling error (code, HTTP status, message); JSON protocols default to
# ThrottlingException, query protocols to Throttling.
THROTTLING = {
    "ec2": ("RequestLimitExceeded", 503, "Request limit exceeded."),
    "iam": ("Throttling", 400, "Rate exceeded"),
    "sts": ("Throttling", 400, "Rate exceeded"),
    "eks": ("ThrottlingException", 400, "Rate exceeded"),
    "logs": ("ThrottlingException", 400, "Rate exceeded"),
    "kms": ("ThrottlingException", 400, "Rate exceeded"),
    "ssm": ("ThrottlingException", 400, "Rate exceeded"),
    "elasticloadbalancing": ("Throttling", 400, "Rate exceeded"),
    "autoscaling": ("Throttling", 400, "Rate exceeded"),
    "cloudformation": ("Throttling", 400, "Rate exceeded"),
}


def throttling_error(service, json_protocol=False):
    if service in THROTTLING:
        return THROTTLING[service]
    return ("ThrottlingException", 400, "Rate exceeded") if json_protocol else ("Throttling", 400, "Rate exceeded")


def internal_error(service):
    if service == "ec2":
        return "InternalError", 500, "An internal error has occurred"
    return _error_spec("InternalFailure")


_KNOWN_ERRORS = {
    "ThrottlingException": (400, "Rate exceeded"),
    "InternalFailure": (500, "The request processing has failed because of an unknown error, exception or failure."),
    "ServiceUnavailable": (503, "Service is unavailable, please try again later."),
}


def _error_spec(error):
    if isinstance(error, dict):
        code = error.get("code")
        if not code:
            raise ControlError("an error object needs a code")
        status, message = _KNOWN_ERRORS.get(code, (400, f"Injected {code}"))
        return code, int(error.get("status", status)), error.get("message", message)
    if not isinstance(error, str):
        raise ControlError("error must be a code or an object with code, status, message")
    status, message = _KNOWN_ERRORS.get(error, (400, f"Injected {error}"))
    return error, status, message


def _rate(payload, key):
    value = payload.get(key, 0) or 0
    if not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ControlError(f"{key} must be a number between 0 and 1")
    return float(value)


def _matches(pattern, service, operation):
    """ "CreateCluster", "eks:CreateCluster", "eks:*" or "*"."""
    if pattern == "*":
        return True
    if ":" in pattern:
        svc, _colon, op = pattern.partition(":")
        return svc == service and (op in ("*", operation))
    return pattern == operation


def is_read(operation):
    return operation.startswith(READ_PREFIXES)


def now_iso(ts=None):
    return datetime.fromtimestamp(ts or time.time(), tz=timezone.utc).isoformat(timespec="milliseconds")


# ---------------------------------------------------------------------- which service and operation
_SIGNING_TO_SERVICE = {"monitoring": "cloudwatch", "elasticloadbalancing": "elbv2", "events": "events"}
_rest_tables = {}
_loader = None


def _service_model(service):
    global _loader
    import botocore.session

    if _loader is None:
        _loader = botocore.session.get_session().get_component("data_loader")
    return _loader.load_service_model(_SIGNING_TO_SERVICE.get(service, service), "service-2")


def rest_table(service):
    """[(method, [segments], operation)] of a REST service, most literal segments first."""
    if service not in _rest_tables:
        table = []
        try:
            model = _service_model(service)
        except Exception:
            model = {"operations": {}}
        for name, op in model["operations"].items():
            uri = op["http"]["requestUri"].split("?")[0]
            segments = [s for s in uri.split("/") if s]
            literal = sum(1 for s in segments if not s.startswith("{"))
            table.append((op["http"]["method"], segments, name, literal))
        table.sort(key=lambda item: -item[3])
        _rest_tables[service] = [(m, s, n) for m, s, n, _literal in table]
    return _rest_tables[service]


def match_rest(service, method, raw_path):
    """(operation, {label: value}) for a REST request path (raw, still percent-encoded), or (None, {})."""
    segments = [s for s in raw_path.split("/") if s]
    for op_method, template, name in rest_table(service):
        if op_method != method:
            continue
        labels = {}
        greedy = template and template[-1].endswith("+}")
        if len(template) != len(segments) and not (greedy and len(segments) >= len(template)):
            continue
        ok = True
        for i, part in enumerate(template):
            if part.startswith("{"):
                label = part.strip("{}+")
                if part.endswith("+}"):
                    labels[label] = unquote("/".join(segments[i:]))
                    break
                labels[label] = unquote(segments[i])
            elif part != segments[i]:
                ok = False
                break
        if ok:
            return name, labels
    return None, {}


_SCOPE = re.compile(r"Credential=[^/]+/\d+/([^/]+)/([^/]+)/aws4_request")


def identify(environ, body):
    """(service, region, operation) of an AWS API request; operation may be None."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    m = _SCOPE.search(auth)
    service, region = (m.group(2), m.group(1)) if m else (None, None)
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return service or target.split(".")[0].lower(), region, target.rsplit(".", 1)[-1]
    action = None
    query = parse_qs(environ.get("QUERY_STRING", ""))
    if "Action" in query:
        action = query["Action"][0]
    elif body and environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        form = parse_qs(body.decode("utf-8", "replace"))
        if "Action" in form:
            action = form["Action"][0]
    if action:
        if service is None and action in ("AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"):
            service = "sts"  # unsigned calls
        return service, region, action
    if service:
        raw = raw_path(environ)
        operation, _labels = match_rest(service, environ.get("REQUEST_METHOD", "GET"), raw)
        return service, region, operation
    return service, region, None


def raw_path(environ):
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        raw = raw.split("?", 1)[0]
        if "://" in raw:
            raw = "/" + raw.split("://", 1)[1].split("/", 1)[-1]
        return raw
    from urllib.parse import quote

    return quote(environ.get("PATH_INFO", "/"))
