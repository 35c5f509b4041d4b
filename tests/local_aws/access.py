"""IAM enforcement of the local endpoint: requests signed with an IAM user's access key, allowed by its policies only.

Off by default. ``POST /_aews/config {"enforce_iam": true}`` turns it on: every AWS API call (all services, EKS
included) signed with the access key of an IAM user created in the endpoint (``iam.create_user`` then
``iam.create_access_key``) has its signature verified with that user's secret key (moto's ``IAMRequest``), then is
evaluated against the user's policies (inline and attached, its groups' too) as IAM evaluates identity-based
policies: an explicit ``Deny`` wins, else an ``Allow`` is needed. Statements match on ``Action`` / ``NotAction``
(wildcards, case-insensitive), ``Resource`` / ``NotResource`` (the ARN of what the call touches, below) and
``Condition`` (the operators of the IAM reference, ``...IfExists``, ``ForAnyValue:`` / ``ForAllValues:``). Calls
signed with any other key (``testing``: the endpoint's administrator) are not checked, so tests set up and inspect
with their usual credentials while the user under test runs the collection.

moto's own access control (``INITIAL_NO_AUTH_ACTION_COUNT``) is not used: it is global to the process, covers moto's
services only (not EKS, answered here), and matches every call against ``Resource: "*"`` with conditions on the
request parameters only, so a policy scoped by resource or with ``iam:PassedToService`` would be refused where AWS
allows it.

Besides the action of the call, AWS checks what the call does on the caller's behalf, and so does this:
``iam:PassRole`` on the role an EKS create or update names (``roleArn``, ``nodeRole``, ``serviceAccountRoleArn``,
pod identity ``roleArn``, ``podExecutionRoleArn``; context ``iam:PassedToService``), ``kms:DescribeKey`` and
``kms:CreateGrant`` on the key of secrets encryption (``kms:GrantIsForAWSResource: true``), and
``iam:CreateServiceLinkedRole`` (``iam:AWSServiceName``) for the first cluster / node group when the realism
control ``service_linked_roles`` is on and the role does not exist yet. ``sts:GetCallerIdentity`` needs no
permission, as on AWS.

A refused call is answered as the service words it, HTTP and code included (``ERRORS``), naming the user, the action
and the resource: "User: arn:aws:iam::123456789012:user/X is not authorized to perform: eks:CreateCluster on resource:
arn:aws:eks:...:cluster/c1 because no identity-based policy allows the eks:CreateCluster action".
"""

from __future__ import annotations

import base64
import fnmatch
import json
import re
import threading
from urllib.parse import parse_qs

from .controls import ControlError
from .controls import match_rest
from .controls import raw_path

# service -> (code, HTTP status) of an authorization failure
ERRORS = {
    "eks": ("AccessDeniedException", 403),
    "ec2": ("UnauthorizedOperation", 403),
    "iam": ("AccessDenied", 403),
    "sts": ("AccessDenied", 403),
    "elasticloadbalancing": ("AccessDenied", 403),
    "autoscaling": ("AccessDenied", 403),
    "cloudformation": ("AccessDenied", 403),
    "logs": ("AccessDeniedException", 400),
    "kms": ("AccessDeniedException", 400),
    "ssm": ("AccessDeniedException", 400),
}
NO_PERMISSION_NEEDED = {("sts", "GetCallerIdentity")}
SERVICE_LINKED_ROLES = {
    "CreateCluster": ("eks.amazonaws.com", "AWSServiceRoleForAmazonEKS"),
    "CreateNodegroup": ("eks-nodegroup.amazonaws.com", "AWSServiceRoleForAmazonEKSNodegroup"),
}


class Denied(Exception):
    """An authorization (or authentication) failure: (code, HTTP status, message)."""

    def __init__(self, code, status, message):
        super().__init__(message)
        self.code, self.status, self.message = code, status, message


class Access:
    def __init__(self, controls, account_id, eks=None):
        self.controls = controls
        self.account = account_id
        self.eks = eks
        self.lock = threading.Lock()
        self.enforce = False

    def reset(self):
        with self.lock:
            self.enforce = False

    def configure(self, payload):
        if "enforce_iam" in payload:
            if not isinstance(payload["enforce_iam"], bool):
                raise ControlError("enforce_iam must be true or false")
            with self.lock:
                self.enforce = payload["enforce_iam"]

    def describe(self):
        """What GET /_aews/config shows: ``enforce_iam`` while it is on (off, the configuration is as before)."""
        with self.lock:
            return {"enforce_iam": True} if self.enforce else {}

    # ------------------------------------------------------------------ the check
    def check(self, environ, body, service, region, operation):
        """None when the call may go on, else (code, HTTP status, message) to answer instead."""
        try:
            return self._check(environ, body, service, region, operation)
        except Exception as exc:  # noqa: BLE001 (the check failed: answer 500 and record it as a problem)
            import traceback

            self.controls.problem(f"{service}:{operation}: the IAM check failed: {exc!r}\n{traceback.format_exc()}")
            code = "InternalError" if service == "ec2" else "InternalFailure"
            return code, 500, f"The local AWS endpoint failed to check IAM for {operation}: {exc!r}"

    def _check(self, environ, body, service, region, operation):
        with self.lock:
            if not self.enforce:
                return None
        match = re.search(r"Credential=([^/,\s]+)/", environ.get("HTTP_AUTHORIZATION", ""))
        if not match or not operation:
            return None
        user = self._user_of(match.group(1), region)
        if user is None:
            return None  # not an IAM user of the endpoint: the administrator's credentials
        try:
            self._authenticate(environ, body, service, region, operation, match.group(1))
            if (service, operation) in NO_PERMISSION_NEEDED:
                return None
            params, labels = _parameters(environ, body, service)
            policies = _policies(self._backend(region), user)
            for action, resource, context in self._actions(service, operation, region, params, labels):
                context = dict(context)
                context.setdefault("aws:requestedregion", region)
                context.setdefault("aws:username", user.name)
                context.setdefault("aws:principalarn", user.arn)
                verdict = evaluate(policies, action, resource, context)
                if verdict != "allow":
                    raise self._denied(service, user.arn, action, resource, verdict)
        except Denied as denied:
            return denied.code, denied.status, denied.message
        return None

    def _backend(self, region):
        from moto.iam.models import iam_backends
        from moto.utilities.utils import get_partition

        return iam_backends[self.account][get_partition(region or "us-east-1")]

    def _user_of(self, access_key_id, region):
        try:
            backend = self._backend(region)
        except Exception:  # noqa: BLE001 (no IAM backend yet: no user either)
            return None
        for user in list(backend.users.values()):
            if any(key.access_key_id == access_key_id for key in user.access_keys):
                return user
        return None

    def _authenticate(self, environ, body, service, region, operation, access_key_id):
        from moto.core.exceptions import AuthFailureError
        from moto.core.exceptions import InvalidClientTokenIdError
        from moto.core.exceptions import SignatureDoesNotMatchError
        from moto.iam.access_control import IAMRequest
        from werkzeug.datastructures import EnvironHeaders

        query = environ.get("QUERY_STRING", "")
        path = raw_path(environ) + (f"?{query}" if query else "")
        try:
            request = IAMRequest(
                account_id=self.account,
                method=environ.get("REQUEST_METHOD", "GET"),
                path=path,
                data={},
                body=body,
                headers=EnvironHeaders(environ),
                action=operation,
            )
            request.check_signature()
        except (AuthFailureError, InvalidClientTokenIdError, SignatureDoesNotMatchError) as e:
            code = getattr(e, "error_type", None) or type(e).__name__
            status = 401 if service == "ec2" else 403
            messages = {
                "AuthFailure": "AWS was not able to validate the provided access credentials",
                "InvalidClientTokenId": "The security token included in the request is invalid.",
                "SignatureDoesNotMatch": (
                    "The request signature we calculated does not match the signature you provided. Check your AWS "
                    "Secret Access Key and signing method. Consult the service documentation for details."
                ),
            }
            raise Denied(code, status, messages.get(code, str(e))) from None

    # ------------------------------------------------------------------ what the call needs
    def _actions(self, service, operation, region, params, labels):
        """[(action, resource ARN, context)]: the call's own action first, then what it does on the caller's behalf."""
        account = self.account
        own = (f"{service}:{operation}", self._resource(service, operation, region, params, labels), {})
        if service == "iam":
            own = (own[0], own[1], self._iam_context(operation, params, region))
        needed = [own]
        if service != "eks":
            return needed
        passed = []
        for key in ("roleArn", "nodeRole", "serviceAccountRoleArn", "podExecutionRoleArn"):
            if isinstance(params.get(key), str):
                to = "pods.eks.amazonaws.com" if "PodIdentity" in operation else "eks.amazonaws.com"
                passed.append((params[key], to))
        for association in params.get("podIdentityAssociations") or []:
            if isinstance(association, dict) and isinstance(association.get("roleArn"), str):
                passed.append((association["roleArn"], "pods.eks.amazonaws.com"))
        for arn, to in passed:
            context = {"iam:passedtoservice": to}
            context.update(self._role_tags(arn.rsplit("/", 1)[-1], region))
            needed.append(("iam:PassRole", arn, context))
        for config in params.get("encryptionConfig") or []:
            key = ((config or {}).get("provider") or {}).get("keyArn")
            if isinstance(key, str):
                key_arn = key if key.startswith("arn:") else f"arn:aws:kms:{region}:{account}:key/{key}"
                needed.append(("kms:DescribeKey", key_arn, {}))
                needed.append(("kms:CreateGrant", key_arn, {"kms:grantisforawsresource": "true"}))
        if operation in SERVICE_LINKED_ROLES and self._creates_service_linked_role(operation, region):
            service_name, role = SERVICE_LINKED_ROLES[operation]
            needed.append(
                (
                    "iam:CreateServiceLinkedRole",
                    f"arn:aws:iam::{account}:role/aws-service-role/{service_name}/{role}",
                    {"iam:awsservicename": service_name},
                )
            )
        return needed

    def _creates_service_linked_role(self, operation, region):
        realism = getattr(self.controls, "realism", None)
        settings = getattr(realism, "settings", None) or {}
        if not settings.get("service_linked_roles"):
            return False
        return self._role(SERVICE_LINKED_ROLES[operation][1], region) is None

    def _resource(self, service, operation, region, params, labels):
        account = self.account
        if service == "iam":
            if params.get("RoleName"):
                role = self._role(params["RoleName"], region)
                path = role.path if role is not None else params.get("Path", "/")
                return f"arn:aws:iam::{account}:role{path}{params['RoleName']}"
            if params.get("OpenIDConnectProviderArn"):
                return params["OpenIDConnectProviderArn"]
            if operation == "CreateOpenIDConnectProvider" and params.get("Url"):
                return f"arn:aws:iam::{account}:oidc-provider/{params['Url'].split('://', 1)[-1].rstrip('/')}"
            if params.get("PolicyArn") and "Role" not in operation:
                return params["PolicyArn"]
            return "*"
        if service == "eks":
            cluster = labels.get("name") or labels.get("clusterName")
            if operation == "CreateCluster":
                cluster = params.get("name")
            if not cluster:
                return "*"
            base = f"arn:aws:eks:{region}:{account}"
            if labels.get("nodegroupName"):
                return self._eks_arn(region, cluster, "_nodegroups", labels["nodegroupName"], "nodegroupArn") or (
                    f"{base}:nodegroup/{cluster}/{labels['nodegroupName']}/*"
                )
            if labels.get("addonName"):
                return self._eks_arn(region, cluster, "_addons", labels["addonName"], "addonArn") or (
                    f"{base}:addon/{cluster}/{labels['addonName']}/*"
                )
            return f"{base}:cluster/{cluster}"
        if service == "logs" and params.get("logGroupName"):
            return f"arn:aws:logs:{region}:{account}:log-group:{params['logGroupName']}:*"
        if service == "kms" and isinstance(params.get("KeyId"), str):
            key = params["KeyId"]
            return key if key.startswith("arn:") else f"arn:aws:kms:{region}:{account}:key/{key}"
        if service == "elasticloadbalancing" and params.get("LoadBalancerArn"):
            return params["LoadBalancerArn"]
        return "*"

    def _eks_arn(self, region, cluster, kind, name, key):
        try:
            with self.eks.lock:
                return self.eks.clusters[(region, cluster)][kind][name][key]
        except Exception:  # noqa: BLE001 (not there (yet): the ARN pattern stands in)
            return None

    def _role(self, name, region):
        try:
            return self._backend(region).get_role(name)
        except Exception:  # noqa: BLE001 (no such role)
            return None

    def _role_tags(self, name, region):
        role = self._role(name, region)
        tags = {}
        found = (role.tags if role is not None else None) or {}
        if isinstance(found, list):  # moto keeps a role's tags as [{"Key": k, "Value": v}]
            found = {t["Key"]: t.get("Value", "") for t in found}
        for key, value in found.items():
            value = value.get("Value") if isinstance(value, dict) else value
            tags[f"aws:resourcetag/{key}".lower()] = value
            tags[f"iam:resourcetag/{key}".lower()] = value
        return tags

    def _iam_context(self, operation, params, region):
        context = {}
        if params.get("RoleName") and operation != "CreateRole":
            context.update(self._role_tags(params["RoleName"], region))
        request_tags = {}
        i = 1
        while f"Tags.member.{i}.Key" in params:
            request_tags[params[f"Tags.member.{i}.Key"]] = params.get(f"Tags.member.{i}.Value", "")
            i += 1
        for key, value in request_tags.items():
            context[f"aws:requesttag/{key}".lower()] = value
        if request_tags:
            context["aws:tagkeys"] = list(request_tags)
        if params.get("PolicyArn"):
            context["iam:policyarn"] = params["PolicyArn"]
        if operation == "CreateServiceLinkedRole" and params.get("AWSServiceName"):
            context["iam:awsservicename"] = params["AWSServiceName"]
        return context

    def _denied(self, service, user_arn, action, resource, verdict):
        code, status = ERRORS.get(service, ("AccessDenied", 403))
        on = f" on resource: {resource}" if resource and resource != "*" else ""
        why = (
            "with an explicit deny in an identity-based policy"
            if verdict == "deny"
            else f"because no identity-based policy allows the {action} action"
        )
        message = f"User: {user_arn} is not authorized to perform: {action}{on} {why}"
        if service == "ec2":
            decoded = {
                "allowed": False,
                "explicitDeny": verdict == "deny",
                "context": {"principal": {"arn": user_arn}, "action": action, "resource": resource},
            }
            encoded = base64.urlsafe_b64encode(json.dumps(decoded).encode()).decode().rstrip("=")
            message = f"You are not authorized to perform this operation. {message}. Encoded authorization failure message: {encoded}"
        return Denied(code, status, message)


# ---------------------------------------------------------------------- request parameters
def _parameters(environ, body, service):
    """(params, path labels): form fields (query protocols) or the JSON body, and REST path labels (EKS)."""
    labels = {}
    if service == "eks":
        _operation, labels = match_rest(service, environ.get("REQUEST_METHOD", "GET"), raw_path(environ))
    content_type = environ.get("CONTENT_TYPE", "")
    params = {}
    if environ.get("QUERY_STRING"):
        params.update({k: v[0] for k, v in parse_qs(environ["QUERY_STRING"]).items()})
    if body and content_type.startswith("application/x-www-form-urlencoded"):
        params.update({k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()})
    elif body:
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if isinstance(data, dict):
            params.update(data)
    return params, labels


def _policies(backend, user):
    """The policy documents of an IAM user: inline, attached, and its groups' inline and attached."""
    documents = []

    def add(document):
        if isinstance(document, str):
            document = json.loads(document)
        if isinstance(document, dict):
            documents.append(document)

    def managed(policy):
        version = next((v for v in policy.versions if v.is_default), None)
        return version.document if version is not None else None

    for name, document in list(getattr(user, "policies", {}).items()):
        add(document)
    for policy in list(getattr(user, "managed_policies", {}).values()):
        add(managed(policy))
    for group in backend.get_groups_for_user(user.name):
        for document in list(getattr(group, "policies", {}).values()):
            add(document)
        for policy in list(getattr(group, "managed_policies", {}).values()):
            add(managed(policy))
    return documents


# ---------------------------------------------------------------------- policy evaluation
def evaluate(documents, action, resource, context):
    """ "allow", "deny" (an explicit Deny) or "implicit" (no statement allows it), as IAM decides for one identity."""
    allowed = False
    for document in documents:
        statements = document.get("Statement") or []
        if isinstance(statements, dict):
            statements = [statements]
        for statement in statements:
            if not _applies(statement, action, resource, context):
                continue
            if statement.get("Effect") == "Deny":
                return "deny"
            if statement.get("Effect") == "Allow":
                allowed = True
    return "allow" if allowed else "implicit"


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _glob(pattern, value, case_sensitive=True):
    if not case_sensitive:
        pattern, value = pattern.lower(), value.lower()
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]"))


def _applies(statement, action, resource, context):
    if "Action" in statement:
        if not any(_glob(p, action, case_sensitive=False) for p in _as_list(statement["Action"])):
            return False
    elif "NotAction" in statement:
        if any(_glob(p, action, case_sensitive=False) for p in _as_list(statement["NotAction"])):
            return False
    else:
        return False
    if "Resource" in statement:
        if not any(_resource_matches(p, resource, context) for p in _as_list(statement["Resource"])):
            return False
    elif "NotResource" in statement:
        if any(_resource_matches(p, resource, context) for p in _as_list(statement["NotResource"])):
            return False
    return _conditions(statement.get("Condition") or {}, context)


def _substitute(pattern, context):
    return re.sub(r"\$\{([^}]+)\}", lambda m: str(context.get(m.group(1).lower(), m.group(0))), pattern)


def _resource_matches(pattern, resource, context):
    pattern = _substitute(pattern, context)
    if pattern == "*":
        return True
    if resource == "*":
        return False  # a call that names no resource is only allowed by Resource "*"
    return _glob(pattern, resource)


_STRING = {
    "StringEquals": lambda v, p: v == p,
    "StringNotEquals": lambda v, p: v != p,
    "StringEqualsIgnoreCase": lambda v, p: v.lower() == p.lower(),
    "StringNotEqualsIgnoreCase": lambda v, p: v.lower() != p.lower(),
    "StringLike": lambda v, p: _glob(p, v),
    "StringNotLike": lambda v, p: not _glob(p, v),
    "ArnEquals": lambda v, p: v == p,
    "ArnNotEquals": lambda v, p: v != p,
    "ArnLike": lambda v, p: _glob(p, v),
    "ArnNotLike": lambda v, p: not _glob(p, v),
    "Bool": lambda v, p: v.lower() == p.lower(),
    "NumericEquals": lambda v, p: float(v) == float(p),
    "NumericNotEquals": lambda v, p: float(v) != float(p),
    "NumericLessThan": lambda v, p: float(v) < float(p),
    "NumericLessThanEquals": lambda v, p: float(v) <= float(p),
    "NumericGreaterThan": lambda v, p: float(v) > float(p),
    "NumericGreaterThanEquals": lambda v, p: float(v) >= float(p),
}
_NEGATED = {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike"}


def _conditions(block, context):
    for operator, keys in block.items():
        qualifier, _colon, name = operator.rpartition(":")
        if_exists = name.endswith("IfExists")
        name = name[: -len("IfExists")] if if_exists else name
        for key, wanted in (keys or {}).items():
            wanted = [_substitute(str(w), context) for w in _as_list(wanted)]
            present = key.lower() in context
            values = [str(v) for v in _as_list(context.get(key.lower()))]
            if name == "Null":
                if not any((w.lower() == "true") == (not present) for w in wanted):
                    return False
                continue
            if name not in _STRING:
                return False  # an operator not known here never matches
            if not present:
                if if_exists or (name in _NEGATED and qualifier != "ForAnyValue"):
                    continue
                if qualifier == "ForAllValues":
                    continue
                return False
            test = _STRING[name]
            negated = name in _NEGATED

            def one(value):
                results = [test(value, w) for w in wanted]
                return all(results) if negated else any(results)

            if qualifier == "ForAllValues":
                ok = all(one(v) for v in values)
            elif qualifier == "ForAnyValue":
                ok = any(one(v) for v in values)
            else:
                ok = all(one(v) for v in values) if values else False
            if not ok:
                return False
    return True
