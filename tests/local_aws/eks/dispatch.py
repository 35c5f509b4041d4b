"""One EKS request: its operation found from the REST path (botocore's model), its parameters read,
the handler ``op_<Operation>`` of the ``Eks`` class called under the lock, its answer checked against botocore's
output shape; errors written as EKS writes them."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from ..controls import match_rest
from ..controls import raw_path
from .common import ApiError
from .common import _invalid


class Dispatch:
    """Request dispatch: ``handle`` is what the WSGI layer (server.py) calls."""

    def handle(self, environ, body, region):
        """(HTTP status, JSON-able body, operation name) for one EKS request."""
        method = environ.get("REQUEST_METHOD", "GET")
        operation, labels = match_rest("eks", method, raw_path(environ))
        if operation is None:
            err = ApiError("InvalidRequestException", f"No EKS operation matches {method} {environ.get('PATH_INFO')}")
            return err.status, _error_body(err), None
        handler = getattr(self, "op_" + operation, None)
        if handler is None:
            err = ApiError("InvalidRequestException", f"{operation} is not implemented by the local AWS endpoint")
            return err.status, _error_body(err), operation
        try:
            params = _request_params(operation, labels, environ.get("QUERY_STRING", ""), body)
            with self.lock:
                self.settle()
                result = handler(region, params)
                self._refresh_all()
            self._check_shape(operation, result)
            return 200, result, operation
        except ApiError as err:
            return err.status, _error_body(err), operation
        except Exception as exc:  # noqa: BLE001 (a bug of the endpoint: report it, keep serving)
            import traceback

            text = traceback.format_exc()
            self.controls.problem(f"{operation}: {exc!r}\n{text}")
            print(f"local AWS endpoint: {operation} failed:\n{text}", flush=True)
            err = ApiError("ServerException", f"The local AWS endpoint failed on {operation}: {exc!r}")
            return err.status, _error_body(err), operation

    def _check_shape(self, operation, result):
        """Record (never raise) a response that does not follow botocore's output shape: GET /_aews/problems."""
        from botocore.validate import ParamValidator

        report = ParamValidator().validate(result, _eks_model().operation_model(operation).output_shape)
        if report.has_errors():
            problem = f"{operation}: {report.generate_report()}"
            self.controls.problem(problem)
            print(f"local AWS endpoint: response off its shape: {problem}", flush=True)

    def _refresh_all(self):
        for cluster in self.clusters.values():
            self._refresh_addon_health(cluster)


def _error_body(err):
    body = {"message": err.message}
    body.update(err.fields)
    return {"__error__": err.code, **body}


_model = None


def _eks_model():
    global _model
    if _model is None:
        import botocore.session

        _model = botocore.session.get_session().get_service_model("eks")
    return _model


def _request_params(operation, labels, query_string, body):
    shape = _eks_model().operation_model(operation).input_shape
    params = {}
    if body:
        try:
            params.update(json.loads(body))
        except ValueError:
            raise ApiError("BadRequestException", "The request body is not valid JSON.") from None
    query = parse_qs(query_string, keep_blank_values=True)
    for member_name, member in (shape.members.items() if shape else []):
        location = member.serialization.get("location")
        wire = member.serialization.get("name", member_name)
        if location == "uri" and wire in labels:
            params[member_name] = labels[wire]
        elif location == "querystring" and wire in query:
            values = query[wire]
            if member.type_name == "list":
                params[member_name] = values
            elif member.type_name == "integer":
                try:
                    params[member_name] = int(values[0])
                except ValueError:
                    raise _invalid(f"{member_name} must be an integer.") from None
            elif member.type_name == "boolean":
                params[member_name] = values[0].lower() == "true"
            else:
                params[member_name] = values[0]
    missing = [m for m in (shape.required_members if shape else []) if m not in params]
    if missing:
        raise _invalid(f"Missing required parameter(s): {', '.join(missing)}")
    return params
