"""The local AWS endpoint: moto's server on 127.0.0.1 with the project's EKS implementation and test controls.

Every request goes through one WSGI layer in front of moto's own application:
- /_aews/... are the test controls (see README.md);
- EKS requests are answered by eks_ext.Eks (moto's EKS backend is not used);
- the IAM operations moto lacks (OpenID Connect provider client IDs) are answered by iam_ext over moto's backend;
- DeleteLaunchTemplateVersions (moto lacks it) is answered by ec2_ext over moto's backend, and ec2_ext patches
  moto's EC2 backend where it answers otherwise than AWS (dependencies of deletes, NAT gateways, tag filters);
- everything else (EC2, IAM, STS, KMS, logs, ...) goes to moto;
- every AWS API call is written to the request log, and may be answered by an injected fault instead, or by a
  realism control (realism.py: IAM propagation, EC2 eventual consistency, quotas, ...);
- any HTTP 500 or "not implemented" answer that was not injected is recorded in GET /_aews/problems.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs

os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "local_aws"  # noqa: A001 (relative imports below)

from . import controls as controls_module  # noqa: E402
from .controls import ControlError  # noqa: E402
from .controls import Controls  # noqa: E402
from .eks_ext import Eks  # noqa: E402
from . import ec2_ext  # noqa: E402
from . import iam_ext  # noqa: E402
from . import autoscaling_ext  # noqa: E402
from . import ec2_subnet_ext  # noqa: E402
from . import ec2_instance_requirements  # noqa: E402
from . import ec2_vpc_endpoint_ext  # noqa: E402
from .realism import Realism  # noqa: E402
from .access import Access  # noqa: E402


class LocalAws:
    """The WSGI application: controls, EKS, request log and faults in front of moto."""

    def __init__(self, moto_app, account_id, log_path=None):
        self.moto_app = moto_app
        self.controls = Controls(log_path=log_path)
        self.realism = Realism(self.controls, account_id)
        self.controls.realism = self.realism
        self.eks = Eks(self.controls, account_id)
        autoscaling_ext.install(self.controls)  # instance refreshes, metrics, EKS AMI parameters
        ec2_subnet_ext.install()  # the subnets' hostname type
        ec2_instance_requirements.install()  # GetInstanceTypesFromInstanceRequirements
        ec2_vpc_endpoint_ext.install()  # VPC endpoints: interfaces, routes, private DNS, DeleteVpc
        self.access = self.controls.access = Access(self.controls, account_id, self.eks)  # enforce_iam

    # ------------------------------------------------------------------ WSGI
    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_aews/"):
            return self._control(environ, start_response, path[len("/_aews/") :].strip("/"))
        if path.startswith("/moto-api/reset"):
            self.eks.reset()
            return self.moto_app(environ, start_response)
        body = _read_body(environ)
        service, region, operation = controls_module.identify(environ, body)
        if service is None and operation is None:
            return self.moto_app(environ, start_response)
        service = service or "unknown"
        region = region or os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
        operation = operation or f"{environ.get('REQUEST_METHOD')} {path}"
        started = time.time()
        self.eks.settle()
        self.realism.settle()
        entry = {
            "timestamp": controls_module.now_iso(started),
            "time": round(started, 6),
            "service": service,
            "operation": operation,
            "region": region,
            "path": path,
            "mutating": not controls_module.is_read(operation),
            "kind": "read" if controls_module.is_read(operation) else "mutating",
            "injected": False,
        }
        denied = self.access.check(environ, body, service, region, operation)  # access.py: IAM, when enforced
        json_protocol = bool(environ.get("HTTP_X_AMZ_TARGET"))
        fault = denied or self.controls.fault_for(service, operation, json_protocol=json_protocol)
        realism_error = None if fault else self.realism.before(service, operation, region, environ, body)
        if fault:
            code, status, message = fault
            entry.update(status=status, error=code, injected=not denied)
            entry.update({"denied": True} if denied else {})
            status_line, headers, payload = _error_response(environ, service, code, status, message)
        elif realism_error is not None:
            e = realism_error
            entry.update(status=e.status, error=e.code, realism=True)
            if service == "eks":
                status_line, headers, payload = _rest_json_error(e.code, e.status, dict(e.fields, message=e.message))
            else:
                status_line, headers, payload = _error_response(environ, service, e.code, e.status, e.message)
        elif (refused := self._refusal(service, operation, region, body)) is not None:
            entry.update(status=refused.status, error=refused.code)
            status_line, headers, payload = _error_response(
                environ, service, refused.code, refused.status, refused.message
            )
        elif service == "ec2" and operation == "DeleteLaunchTemplateVersions":
            try:
                from moto.ec2.models import ec2_backends

                payload = ec2_ext.delete_launch_template_versions(ec2_backends[self.eks.account][region], body)
                entry.update(status=200, error=None)
                status_line, headers = _status_line(200), [("Content-Type", "text/xml")]
            except ec2_ext.Ec2Error as e:
                entry.update(status=e.status, error=e.code)
                status_line, headers, payload = _error_response(environ, service, e.code, e.status, e.message)
        elif service == "iam" and operation in iam_ext.OPERATIONS:
            try:
                payload = iam_ext.handle(self.eks.account, operation, body)
                entry.update(status=200, error=None)
                status_line, headers = _status_line(200), [("Content-Type", "text/xml")]
            except iam_ext.IamError as e:
                entry.update(status=e.status, error=e.code)
                status_line, headers, payload = _error_response(environ, service, e.code, e.status, e.message)
        elif service == "eks":
            status, result, _operation = self.eks.handle(environ, body, region)
            if status >= 400:
                code = result.pop("__error__")
                entry.update(status=status, error=code)
                status_line, headers, payload = _rest_json_error(code, status, result)
            else:
                entry.update(status=status, error=None)
                status_line = _status_line(status)
                headers = [("Content-Type", "application/json"), ("x-amzn-RequestId", str(uuid.uuid4()))]
                payload = json.dumps(result).encode()
        else:
            captured = {}

            def capture(status_text, response_headers, exc_info=None):
                captured["status"], captured["headers"] = status_text, response_headers
                return lambda data: None

            try:
                chunks = self.moto_app(environ, capture)
                try:
                    payload = b"".join(chunks)
                finally:
                    if hasattr(chunks, "close"):
                        chunks.close()
                status_line, headers = captured["status"], captured["headers"]
                status = int(status_line.split()[0])
                entry.update(status=status, error=_error_code(payload) if status >= 400 else None)
            except Exception as exc:  # noqa: BLE001 (moto failed: answer as AWS would, record the problem)
                import traceback

                code = "InternalError" if service == "ec2" else "InternalFailure"
                entry.update(status=500, error=code)
                status_line, headers, payload = _error_response(
                    environ, service, code, 500, f"The local AWS endpoint (moto) failed on {operation}: {exc!r}"
                )
                self.controls.problem(f"{service}:{operation} failed in moto: {exc!r}\n{traceback.format_exc()}")
                print(
                    f"local AWS endpoint: {service}:{operation} failed in moto:\n{traceback.format_exc()}", flush=True
                )
                entry["problem_recorded"] = True
        if not entry["injected"] and not entry.get("realism") and not entry.get("denied"):
            self._check_answer(service, operation, entry, payload)
            self.realism.after(service, operation, region, environ, body, entry["status"], payload)
        entry["duration_ms"] = round((time.time() - started) * 1000, 1)
        self.controls.record(entry)
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(payload))))
        start_response(status_line, headers)
        return [payload]

    def _refusal(self, service, operation, region, body):
        """What AWS refuses and moto would carry out (ec2_ext.refusal, iam_ext.refusal), else None."""
        if service == "ec2":
            from moto.ec2.models import ec2_backends

            return ec2_ext.refusal(ec2_backends[self.eks.account][region], operation, body)
        if service == "iam":
            return iam_ext.refusal(self.eks.account, operation, body)
        return None

    def _check_answer(self, service, operation, entry, payload):
        """Record an answer no AWS service gives to a valid call: HTTP 500 or "not implemented" (moto's gaps)."""
        text = payload[:2000].decode("utf-8", "replace")
        unimplemented = (
            entry["error"] in ("NotImplemented", "InvalidAction", "NotImplementedError")
            or "not yet implemented" in text
            or "is not implemented by the local AWS endpoint" in text
        )
        if entry.pop("problem_recorded", False):
            return
        if entry["status"] >= 500 or unimplemented:
            problem = f"{service}:{operation} answered HTTP {entry['status']} {entry['error']}: {text[:600]}"
            if service == "eks" and entry["error"] == "ServerException":
                return  # eks_ext recorded it, with the traceback
            self.controls.problem(problem)
            print(f"local AWS endpoint: {problem}", flush=True)

    # ------------------------------------------------------------------ controls
    def _control(self, environ, start_response, name):
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            raw = _read_body(environ)
            payload = json.loads(raw) if raw and raw.strip() else {}
            if not isinstance(payload, dict):
                raise ControlError("the body must be a JSON object")
            query = parse_qs(environ.get("QUERY_STRING", ""))
            result = self._dispatch_control(method, name, payload, query)
            status = 200
        except ControlError as e:
            status, result = 400, {"error": str(e)}
        except ValueError as e:
            status, result = 400, {"error": f"invalid JSON: {e}"}
        body = json.dumps(result, default=str).encode()
        start_response(_status_line(status), [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    def _dispatch_control(self, method, name, payload, query):
        if name == "reset" and method == "POST":
            reset_moto()
            self.eks.reset()
            self.controls.reset()
            self.realism.reset()
            self.access.reset()
            autoscaling_ext.reset_faults()
            return {"status": "ok"}
        if name == "refresh_failure" and method == "POST":
            if not payload.get("group"):
                raise ControlError("refresh_failure needs the Auto Scaling group's name: {\"group\": NAME}")
            return autoscaling_ext.fail_next_refresh(payload["group"], payload.get("reason"), payload.get("replaced", 0))
        if name == "config":
            return self.controls.configure(payload) if method == "POST" else self.controls.config()
        if name == "faults":
            return self.controls.set_faults(payload) if method == "POST" else self.controls.faults.describe()
        if name == "inject":
            if method != "POST":
                return {"pending": list(self.controls.injections)}
            injection = self.controls.inject(payload)
            applied = self.eks.apply_injection_now(injection) if injection["now"] else False
            return {"injection": injection, "applied_now": applied}
        if name == "requests":
            if method == "DELETE":
                with self.controls.lock:
                    self.controls.log.clear()
                return {"requests": []}
            since = int(query.get("since", ["0"])[0])
            return {"requests": self.controls.requests(since)}
        if name == "load_balancer":
            self.realism.settle()
            if method == "POST":
                return self.realism.create_load_balancer(payload, self.eks)
            if method == "DELETE":
                return self.realism.delete_load_balancer(payload)
            return self.realism.list_load_balancers()
        if name == "problems" and method == "GET":
            with self.controls.lock:
                return {"problems": list(self.controls.problems)}
        if name == "state" and method == "GET":
            self.eks.settle()
            with self.eks.lock:
                return {
                    "clusters": [
                        {
                            "region": region,
                            "name": name,
                            "status": c["status"],
                            "nodegroups": {n: g["status"] for n, g in c["_nodegroups"].items()},
                            "addons": {n: a["status"] for n, a in c["_addons"].items()},
                        }
                        for (region, name), c in self.eks.clusters.items()
                    ]
                }
        raise ControlError(f"unknown control {method} /_aews/{name}")


def reset_moto():
    """Forget every moto backend; they are created again, empty, on first use.

    moto's own reset re-initializes each backend in place and then drops it anyway, which costs seconds
    (EC2's default VPC and images, IAM's managed policies) for nothing: dropping them is enough.
    """
    from moto.core.base_backend import BackendDict
    from moto.core.base_backend import backend_lock
    from moto.core.model_instances import reset_model_data

    with backend_lock:
        for backends in BackendDict._instances:
            backends.clear()
        BackendDict._instances.clear()
    reset_model_data()


# ---------------------------------------------------------------------- HTTP helpers
_REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def _status_line(status):
    return f"{status} {_REASONS.get(status, 'Error')}"


def _read_body(environ):
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _rest_json_error(code, status, fields):
    headers = [
        ("Content-Type", "application/json"),
        ("x-amzn-ErrorType", code),
        ("x-amzn-RequestId", str(uuid.uuid4())),
    ]
    return _status_line(status), headers, json.dumps(fields).encode()


def _error_response(environ, service, code, status, message):
    """An error in the wire format of the request's protocol."""
    request_id = str(uuid.uuid4())
    if environ.get("HTTP_X_AMZ_TARGET"):
        headers = [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", request_id)]
        return _status_line(status), headers, json.dumps({"__type": code, "message": message}).encode()
    content_type = environ.get("CONTENT_TYPE", "")
    if content_type.startswith("application/x-www-form-urlencoded") or "Action=" in environ.get("QUERY_STRING", ""):
        if service == "ec2":
            xml = (
                f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{code}</Code>'
                f"<Message>{message}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>"
            )
        else:
            xml = (
                f"<ErrorResponse><Error><Type>{'Receiver' if status >= 500 else 'Sender'}</Type><Code>{code}</Code>"
                f"<Message>{message}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
            )
        return _status_line(status), [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], xml.encode()
    if service == "s3":
        xml = f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{request_id}</RequestId></Error>"
        return _status_line(status), [("Content-Type", "application/xml")], xml.encode()
    return _rest_json_error(code, status, {"message": message})


def _error_code(payload):
    text = payload[:4000].decode("utf-8", "replace")
    start = text.find("<Code>")
    if start >= 0:
        return text[start + 6 : text.find("</Code>", start)]
    try:
        data = json.loads(text)
        return str(data.get("__type") or data.get("code") or "").rsplit("#", maxsplit=1)[-1] or None
    except ValueError:
        return None


def create_app(log_path=None):
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication
    from moto.moto_server.werkzeug_app import create_backend_app

    return LocalAws(DomainDispatcherApplication(create_backend_app), DEFAULT_ACCOUNT_ID, log_path=log_path)


def speed_up_moto():
    """Two shortcuts in moto's IAM that change no behaviour and save seconds after every reset.

    moto looks up the account of an access key in the IAM backend of every partition, creating the six
    partition backends on the first call after a reset, and each one parses the 1000 AWS managed policies
    from JSON again. Only partitions that exist are searched here, and the JSON is parsed once.
    """
    import moto.iam.models as iam_models
    from moto.core import DEFAULT_ACCOUNT_ID

    def get_account_id_from(access_key):
        for account_id, account in list(iam_models.iam_backends.items()):
            for partition in list(dict.keys(account)):
                if access_key in dict.__getitem__(account, partition).access_keys:
                    return account_id
        return DEFAULT_ACCOUNT_ID

    parsed = {}

    def _init_aws_policies(self):
        if not iam_models.load_iam_aws_managed_policies():
            return []
        if "data" not in parsed:
            parsed["data"] = json.loads(iam_models.aws_managed_policies_data)
        return [
            iam_models.AWSManagedPolicy.from_data(name, self.account_id, self.region_name, data)
            for name, data in parsed["data"].items()
        ]

    iam_models.get_account_id_from = get_account_id_from
    iam_models.IAMBackend._init_aws_policies = _init_aws_policies


def warm_up(app, regions):
    """Load what moto loads on first use (service apps, EC2 and IAM data) before serving, then forget the state."""
    from moto.ec2.models import ec2_backends
    from moto.iam.models import iam_backends

    dispatcher = app.moto_app
    for service in ("ec2", "iam", "sts", "kms", "logs", "autoscaling", "ssm", "cloudformation"):
        if service not in dispatcher.app_instances:
            dispatcher.app_instances[service] = dispatcher.create_app(service)
    for region in regions:
        ec2_backends[app.eks.account][region].describe_vpcs()
    iam_backends[app.eks.account]["global"]
    reset_moto()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("LOCAL_AWS_PORT", "4566")))
    parser.add_argument("--host", default="127.0.0.1", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    app = create_app(log_path=os.environ.get("LOCAL_AWS_REQUEST_LOG") or None)
    speed_up_moto()
    warm_up(app, sorted({os.environ.get("AWS_DEFAULT_REGION") or "us-east-1", "ap-northeast-2", "us-east-1"}))
    server = make_server(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)
    print(f"local AWS endpoint on http://{args.host}:{args.port} (controls under /_aews/)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
