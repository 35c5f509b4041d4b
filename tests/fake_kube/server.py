"""A small fake Kubernetes API server for tests: Namespaces and ServiceAccounts of the core group, on 127.0.0.1.

It serves what kubernetes.core.k8s and the kubernetes dynamic client need to converge ServiceAccounts, as the API
server answers it, and nothing more:

- discovery: ``/version``, ``/api``, ``/api/v1`` (namespaces, serviceaccounts), ``/apis`` (no group);
- ``/api/v1/namespaces[/NAME]`` and ``/api/v1/namespaces/NS/serviceaccounts[/NAME]``: GET (one, or a list), POST,
  PUT (``metadata.resourceVersion`` checked when given), PATCH (``application/strategic-merge-patch+json``:
  ServiceAccounts' ``secrets`` and ``imagePullSecrets`` merged by ``name``; ``application/merge-patch+json``, RFC
  7386) and DELETE; ``dryRun=All`` on a write answers what it would store and stores nothing;
- the API's answers: ``Status`` objects with its reasons and codes (404 NotFound, 409 AlreadyExists / Conflict,
  422 Invalid for a name, label or annotation the API refuses, 404 for a namespace that does not exist when an
  object is created in it, 401 without the bearer token when one is set), ``resourceVersion`` moved only by a
  change (a patch that changes nothing leaves the object as it was), ``uid`` and ``creationTimestamp`` at creation.

Anything else (another resource, a JSON patch, server-side apply, a label selector, a watch, an unknown query
parameter) is refused with an error Status naming what it does not serve: it never answers success to a request
it does not understand. Deleting a namespace removes it and its ServiceAccounts at once (no Terminating phase).
"""

from __future__ import annotations

import copy
import json
import re
import threading
import uuid
from datetime import datetime
from datetime import timezone
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs
from urllib.parse import urlsplit

VERSION = {
    "major": "1",
    "minor": "33",
    "gitVersion": "v1.33.0-fake",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2026-01-01T00:00:00Z",
    "goVersion": "go1.24.0",
    "compiler": "gc",
    "platform": "linux/amd64",
}
VERBS = ["create", "delete", "get", "list", "patch", "update"]
RESOURCES = {
    "namespaces": {"kind": "Namespace", "singularName": "namespace", "namespaced": False, "shortNames": ["ns"]},
    "serviceaccounts": {"kind": "ServiceAccount", "singularName": "serviceaccount", "namespaced": True,
                        "shortNames": ["sa"]},  # fmt: skip
}
BUILT_IN_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
# Strategic merge patch: the lists of a ServiceAccount merged by key (k8s.io/api core/v1 patchMergeKey).
MERGE_KEYS = {"secrets": "name", "imagePullSecrets": "name"}
QUERY = {"dryRun", "fieldManager", "fieldValidation", "pretty"}
PATCH_TYPES = ("application/strategic-merge-patch+json", "application/merge-patch+json")

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_QUALIFIED = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_PATH = re.compile(r"^/api/v1/namespaces(?:/(?P<ns>[^/]+)(?:/(?P<sub>serviceaccounts)(?:/(?P<name>[^/]+))?)?)?$")


class ApiError(Exception):
    def __init__(self, code, reason, message, details=None):
        super().__init__(message)
        self.status = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": message,
            "reason": reason,
            "code": code,
        }
        if details:
            self.status["details"] = details


def _now():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _qualified_name_problem(key):
    prefix, name = key.rpartition("/")[0], key.rpartition("/")[2]
    if "/" in key and (not prefix or len(prefix) > 253 or not _DNS_SUBDOMAIN.match(prefix)):
        return "prefix part must be a lowercase RFC 1123 subdomain"
    if not name or len(name) > 63 or not _QUALIFIED.match(name):
        return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an " \
               "alphanumeric character (at most 63)"  # fmt: skip
    return None


def _validate_metadata(kind, obj):
    """The API's validation of what this server stores: names, labels, annotations (422 Invalid)."""
    metadata = obj.get("metadata") or {}
    name = metadata.get("name") or ""
    causes = []
    if kind == "Namespace":
        if len(name) > 63 or not _DNS_LABEL.match(name):
            causes.append(("metadata.name", f"Invalid value: {name!r}: a lowercase RFC 1123 label must consist of "
                                            "lower case alphanumeric characters or '-'"))  # fmt: skip
    elif len(name) > 253 or not _DNS_SUBDOMAIN.match(name):
        causes.append(("metadata.name", f"Invalid value: {name!r}: a lowercase RFC 1123 subdomain must consist of "
                                        "lower case alphanumeric characters, '-' or '.'"))  # fmt: skip
    for field in ("labels", "annotations"):
        values = metadata.get(field)
        if values is None:
            continue
        if not isinstance(values, dict):
            causes.append((f"metadata.{field}", "must be an object"))
            continue
        for key, value in values.items():
            problem = _qualified_name_problem(key)
            if problem:
                causes.append((f"metadata.{field}", f"Invalid value: {key!r}: {problem}"))
            if not isinstance(value, str):
                causes.append((f"metadata.{field}.{key}", "must be a string"))
            elif field == "labels" and value and (len(value) > 63 or not _QUALIFIED.match(value)):
                problem = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.'"
                causes.append(("metadata.labels", f"Invalid value: {value!r}: {problem}"))
    if causes:
        raise ApiError(
            422,
            "Invalid",
            f'{kind} "{name}" is invalid: ' + ", ".join(f"{f}: {m}" for f, m in causes),
            {"name": name, "kind": kind, "causes": [{"field": f, "message": m} for f, m in causes]},
        )


def merge_patch(target, patch):
    """RFC 7386."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def strategic_merge_patch(target, patch):
    """A strategic merge patch of a ServiceAccount or Namespace: maps merged (null deletes), the lists of
    ``MERGE_KEYS`` merged by their key, other lists replaced; directives ($patch, $retainKeys, ...) refused."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if key.startswith("$"):
            raise ApiError(400, "BadRequest", f"the fake Kubernetes API does not understand the patch directive {key}")
        if value is None:
            result.pop(key, None)
        elif key in MERGE_KEYS and isinstance(value, list):
            merge_key = MERGE_KEYS[key]
            merged = copy.deepcopy(result.get(key) or [])
            for item in value:
                if not isinstance(item, dict) or merge_key not in item or any(k.startswith("$") for k in item):
                    raise ApiError(400, "BadRequest", f"the fake Kubernetes API does not understand the {key} entry "
                                                      f"{item!r} of the patch")  # fmt: skip
                found = [i for i, old in enumerate(merged) if old.get(merge_key) == item[merge_key]]
                if found:
                    merged[found[0]] = strategic_merge_patch(merged[found[0]], item)
                else:
                    merged.append(copy.deepcopy(item))
            result[key] = merged
        elif isinstance(value, dict):
            result[key] = strategic_merge_patch(result.get(key), value)
        else:
            result[key] = copy.deepcopy(value)
    return result


class FakeKube:
    """The objects (namespaces, service accounts) and the requests seen; a server over them on 127.0.0.1."""

    def __init__(self, token=None):
        self.token = token
        self.lock = threading.Lock()
        self.version = 0
        self.namespaces = {}
        self.service_accounts = {}  # (namespace, name) -> object
        self.requests = []  # (method, path with query, content type)
        for name in BUILT_IN_NAMESPACES:
            self._store_namespace({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        self.server = None
        self.thread = None

    # ------------------------------------------------------------------ objects
    def _next_version(self):
        self.version += 1
        return str(self.version)

    def _store_namespace(self, obj):
        name = obj["metadata"]["name"]
        obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = name
        obj["spec"] = {"finalizers": ["kubernetes"]}
        obj["status"] = {"phase": "Active"}
        self._stamp(obj)
        self.namespaces[name] = obj
        return obj

    def _stamp(self, obj):
        metadata = obj["metadata"]
        metadata.setdefault("uid", str(uuid.uuid4()))
        metadata.setdefault("creationTimestamp", _now())
        metadata["resourceVersion"] = self._next_version()

    def service_account(self, namespace, name):
        with self.lock:
            found = self.service_accounts.get((namespace, name))
            return copy.deepcopy(found)

    def writes(self):
        """The requests that changed (or, with dryRun, would have changed) something."""
        return [r for r in self.requests if r[0] in ("POST", "PUT", "PATCH", "DELETE")]

    # ------------------------------------------------------------------ the API
    def handle(self, method, path, query, headers, body):
        if self.token is not None and headers.get("Authorization") != f"Bearer {self.token}":
            raise ApiError(401, "Unauthorized", "Unauthorized")
        unknown = sorted(set(query) - QUERY)
        if unknown:
            raise ApiError(400, "BadRequest", f"the fake Kubernetes API does not serve the query parameters {unknown}")
        dry_run = query.get("dryRun", [None])[0]
        if dry_run not in (None, "All"):
            raise ApiError(400, "BadRequest", f"Invalid value: {dry_run!r}: supported values: \"All\"")
        if method == "GET" and path in ("/version", "/version/"):
            return 200, VERSION
        if method == "GET" and path == "/api":
            return 200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": headers.get("Host", "127.0.0.1")}]}  # fmt: skip
        if method == "GET" and path == "/apis":
            return 200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": []}
        if method == "GET" and path == "/api/v1":
            return 200, {
                "kind": "APIResourceList",
                "groupVersion": "v1",
                "resources": [dict(name=name, verbs=VERBS, **info) for name, info in RESOURCES.items()],
            }
        match = _PATH.match(path)
        if not match:
            raise ApiError(404, "NotFound", f"the server could not find the requested resource ({method} {path}): the "
                                            "fake Kubernetes API serves namespaces and serviceaccounts only")  # fmt: skip
        namespace, sub, name = match.group("ns"), match.group("sub"), match.group("name")
        with self.lock:
            if sub is None:
                return self._namespaces(method, namespace, headers, body, dry_run)
            return self._service_accounts(method, namespace, name, headers, body, dry_run)

    def _body(self, body, kind, headers, patch=False):
        content_type = (headers.get("Content-Type") or "").split(";")[0].strip()
        if patch:
            if content_type not in PATCH_TYPES:
                raise ApiError(415, "UnsupportedMediaType", f"the fake Kubernetes API does not serve the patch type "
                                                            f"{content_type!r} (only {', '.join(PATCH_TYPES)})")  # fmt: skip
        elif content_type != "application/json":
            raise ApiError(415, "UnsupportedMediaType", f"the body of a {kind} must be application/json, not "
                                                        f"{content_type!r}")  # fmt: skip
        try:
            obj = json.loads(body or b"null")
        except ValueError as e:
            raise ApiError(400, "BadRequest", f"the body is not JSON: {e}") from None
        if not isinstance(obj, dict):
            raise ApiError(400, "BadRequest", "the body must be a JSON object")
        if not patch and (obj.get("kind") != kind or obj.get("apiVersion") != "v1"):
            raise ApiError(400, "BadRequest", f"the body must be a v1 {kind}, not {obj.get('apiVersion')} "
                                              f"{obj.get('kind')}")  # fmt: skip
        return obj

    def _list(self, kind, items):
        return {"kind": f"{kind}List", "apiVersion": "v1", "metadata": {"resourceVersion": str(self.version)},
                "items": copy.deepcopy(items)}  # fmt: skip

    def _not_found(self, resource, name):
        return ApiError(404, "NotFound", f'{resource} "{name}" not found', {"name": name, "kind": resource})

    def _namespaces(self, method, name, headers, body, dry_run):
        if name is None:
            if method == "GET":
                return 200, self._list("Namespace", [self.namespaces[n] for n in sorted(self.namespaces)])
            if method != "POST":
                raise ApiError(405, "MethodNotAllowed", f"{method} is not supported on the namespaces collection")
            obj = self._body(body, "Namespace", headers)
            _validate_metadata("Namespace", obj)
            created = obj["metadata"]["name"]
            if created in self.namespaces:
                raise ApiError(409, "AlreadyExists", f'namespaces "{created}" already exists',
                               {"name": created, "kind": "namespaces"})  # fmt: skip
            obj = {"apiVersion": "v1", "kind": "Namespace", "metadata": copy.deepcopy(obj["metadata"])}
            for key in ("uid", "creationTimestamp", "resourceVersion"):
                obj["metadata"].pop(key, None)
            if dry_run:
                obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = created
                obj["spec"], obj["status"] = {"finalizers": ["kubernetes"]}, {"phase": "Active"}
                return 201, obj
            return 201, copy.deepcopy(self._store_namespace(obj))
        current = self.namespaces.get(name)
        if current is None:
            raise self._not_found("namespaces", name)
        if method == "GET":
            return 200, copy.deepcopy(current)
        if method == "DELETE":
            if not dry_run:
                del self.namespaces[name]
                for key in [k for k in self.service_accounts if k[0] == name]:
                    del self.service_accounts[key]
            return 200, copy.deepcopy(current)
        if method in ("PATCH", "PUT"):
            return self._update("Namespace", current, None, name, method, headers, body, dry_run)
        raise ApiError(405, "MethodNotAllowed", f"{method} is not supported on a namespace")

    def _service_accounts(self, method, namespace, name, headers, body, dry_run):
        if name is None:
            if method == "GET":
                if namespace not in self.namespaces:
                    return 200, self._list("ServiceAccount", [])
                items = [self.service_accounts[k] for k in sorted(self.service_accounts) if k[0] == namespace]
                return 200, self._list("ServiceAccount", items)
            if method != "POST":
                raise ApiError(405, "MethodNotAllowed", f"{method} is not supported on the serviceaccounts collection")
            obj = self._body(body, "ServiceAccount", headers)
            given = obj.get("metadata", {}).get("namespace")
            if given not in (None, namespace):
                raise ApiError(400, "BadRequest", "the namespace of the provided object does not match the namespace "
                                                  "sent on the request")  # fmt: skip
            obj.setdefault("metadata", {})["namespace"] = namespace
            _validate_metadata("ServiceAccount", obj)
            if namespace not in self.namespaces:
                raise self._not_found("namespaces", namespace)
            created = obj["metadata"]["name"]
            if (namespace, created) in self.service_accounts:
                raise ApiError(409, "AlreadyExists", f'serviceaccounts "{created}" already exists',
                               {"name": created, "kind": "serviceaccounts"})  # fmt: skip
            for key in ("uid", "creationTimestamp", "resourceVersion"):
                obj["metadata"].pop(key, None)
            if dry_run:
                return 201, obj
            self._stamp(obj)
            self.service_accounts[(namespace, created)] = obj
            return 201, copy.deepcopy(obj)
        current = self.service_accounts.get((namespace, name))
        if current is None:
            raise self._not_found("serviceaccounts", name)
        if method == "GET":
            return 200, copy.deepcopy(current)
        if method == "DELETE":
            if not dry_run:
                del self.service_accounts[(namespace, name)]
            return 200, copy.deepcopy(current)
        if method in ("PATCH", "PUT"):
            return self._update("ServiceAccount", current, namespace, name, method, headers, body, dry_run)
        raise ApiError(405, "MethodNotAllowed", f"{method} is not supported on a serviceaccount")

    def _update(self, kind, current, namespace, name, method, headers, body, dry_run):
        patch = self._body(body, kind, headers, patch=method == "PATCH")
        if method == "PATCH":
            merge = strategic_merge_patch if headers.get("Content-Type", "").startswith(PATCH_TYPES[0]) else merge_patch
            updated = merge(current, patch)
        else:
            given = (patch.get("metadata") or {}).get("resourceVersion")
            if given is not None and given != current["metadata"]["resourceVersion"]:
                raise ApiError(409, "Conflict", f'Operation cannot be fulfilled on {kind.lower()}s "{name}": the object '
                                                "has been modified; please apply your changes to the latest version "
                                                "and try again")  # fmt: skip
            updated = copy.deepcopy(patch)
            for key in ("uid", "creationTimestamp", "resourceVersion"):
                updated.setdefault("metadata", {})[key] = current["metadata"][key]
            if kind == "Namespace":
                updated["spec"], updated["status"] = current["spec"], current["status"]
        metadata = updated.get("metadata") or {}
        if metadata.get("name") != name or (namespace is not None and metadata.get("namespace") != namespace):
            raise ApiError(400, "BadRequest", f"the name of the object ({metadata.get('name')}) does not match the "
                                              f"name on the URL ({name})")  # fmt: skip
        for key in ("uid", "creationTimestamp"):
            if metadata.get(key) != current["metadata"][key]:
                raise ApiError(422, "Invalid", f"{kind} \"{name}\" is invalid: metadata.{key}: field is immutable")
        if kind == "Namespace":
            metadata.setdefault("labels", {})["kubernetes.io/metadata.name"] = name
        _validate_metadata(kind, updated)
        if updated == current:
            return 200, copy.deepcopy(current)
        if dry_run:
            return 200, updated
        updated["metadata"]["resourceVersion"] = self._next_version()
        if kind == "Namespace":
            self.namespaces[name] = updated
        else:
            self.service_accounts[(namespace, name)] = updated
        return 200, copy.deepcopy(updated)

    # ------------------------------------------------------------------ the server
    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _serve(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with fake.lock:
                    fake.requests.append((self.command, self.path, self.headers.get("Content-Type")))
                try:
                    code, answer = fake.handle(self.command, parts.path, parse_qs(parts.query), self.headers, body)
                except ApiError as e:
                    code, answer = e.status["code"], e.status
                except Exception as e:  # a bug of this server: say so, never succeed
                    code, answer = 500, ApiError(500, "InternalError", f"the fake Kubernetes API failed: {e!r}").status
                data = json.dumps(answer).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def url(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def kubeconfig(self, context="fake"):
        """A kubeconfig for this server (bearer token when one is set)."""
        user = {"token": self.token} if self.token is not None else {}
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": context, "cluster": {"server": self.url}}],
            "users": [{"name": context, "user": user}],
            "contexts": [{"name": context, "context": {"cluster": context, "user": context}}],
            "current-context": context,
        }
