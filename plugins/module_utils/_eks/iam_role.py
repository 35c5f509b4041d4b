# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""IAM roles: what eks_iam_role and eks_irsa share.

Three parts kept apart, as for every resource of the collection:

- build and compare (pure): policy documents in a canonical form (IAM hands them back URL-encoded and reordered,
  a single Action or Resource as a string), input checks, the role snapshot and the desired state -> changes,
  and the snapshot those changes lead to (check mode's prediction, the diff's after);
- apply: the changes, through the ``api`` wrappers only.
"""

from __future__ import annotations

import copy
import json
import re
from urllib.parse import unquote

from . import api
from .change import CHANGE_KEYS
from .change import change
from .change import outcome
from .common import client
from .common import tag_changes
from .common import tags_after
from .errors import EksError

TRUST_VERSION = "2012-10-17"
ROLE_NAME_MAX = 64
DEFAULT_MAX_SESSION_DURATION = 3600

# The services a role made by this collection is assumed by, and the actions eksctl's roles give each.
TRUSTED_SERVICES = {
    "eks.amazonaws.com": ["sts:AssumeRole", "sts:TagSession"],
    "ec2.amazonaws.com": ["sts:AssumeRole"],
    "pods.eks.amazonaws.com": ["sts:AssumeRole", "sts:TagSession"],
    "eks-fargate-pods.amazonaws.com": ["sts:AssumeRole"],
}

_ROLE_NAME = re.compile(r"^[\w+=,.@-]+$")
_POLICY_NAME = re.compile(r"^[\w+=,.@-]{1,128}$")
_PATH = re.compile(r"^/([\x21-\x7e]{0,510}/)?$")
_POLICY_ARN = re.compile(
    r"^arn:aws(-cn|-us-gov|-iso|-iso-[a-z])?:iam::(aws|\d{12}):policy/([\w+=,.@/-]+/)?[\w+=,.@-]+$"
)
# Policy elements that hold one value; every other value is a set, written as a string or a list alike.
_SINGLE_VALUED = ("Version", "Id", "Sid", "Effect")


# ---------------------------------------------------------------- policy documents (pure)
def partition_of_arn(arn):
    return arn.split(":")[1]


def account_of_arn(arn):
    return arn.split(":")[4]


def role_arn(partition, account_id, name, path="/"):
    return f"arn:{partition}:iam::{account_id}:role{path}{name}"


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def statements_of(document):
    return as_list((document or {}).get("Statement"))


def trust_document(statements):
    return {"Version": TRUST_VERSION, "Statement": list(statements)}


def service_trust(service):
    """The trust policy letting ``service`` assume the role, with the actions eksctl's roles give it."""
    return trust_document(
        [{"Effect": "Allow", "Principal": {"Service": service}, "Action": list(TRUSTED_SERVICES[service])}]
    )


def decode_document(document):
    """A policy document as IAM returns it: a dict (botocore decodes), or URL-encoded JSON text."""
    if isinstance(document, str):
        text = document.strip()
        if not text.startswith("{"):
            text = unquote(text)
        return json.loads(text)
    return document


def _sort_key(value):
    return json.dumps(value, sort_keys=True)


def canonical_policy(document):
    """The document in one form per meaning: set-valued elements (Action, Resource, Principal and Condition
    values, statements) as sorted lists without duplicates, scalars as IAM compares them (strings)."""
    return _canonical(decode_document(document), None)


def _canonical(value, key):
    if isinstance(value, dict) and key != "Statement":
        return {k: _canonical(v, k) for k, v in sorted(value.items())}
    if key in _SINGLE_VALUED:
        return value
    if key == "Principal" and value == "*":
        return value
    items = []
    for item in as_list(value):
        item = _canonical(item, None) if isinstance(item, dict) else _scalar(item)
        if item not in items:
            items.append(item)
    return sorted(items, key=_sort_key)


def _scalar(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def policies_differ(current, desired):
    """Whether two policy documents mean different things (order, single values versus lists aside)."""
    return canonical_policy(current) != canonical_policy(desired)


def parse_policy(field, document):
    """A policy document given as a dict or JSON text -> a dict, or EksError naming ``field``."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError as e:
            raise EksError(f"{field}: not valid JSON ({e})") from None
    if not isinstance(document, dict) or "Statement" not in document:
        raise EksError(f"{field}: a policy document with a Statement is required")
    return document


def parse_inline_policies(inline_policies, field="inline_policies"):
    """Inline policies given as dicts or JSON strings -> dicts, or EksError naming the policy."""
    return {name: parse_policy(f"{field}.{name}", document) for name, document in (inline_policies or {}).items()}


# ---------------------------------------------------------------- input checks (pure)
def validate_role_name(name, field="name"):
    if not name or len(name) > ROLE_NAME_MAX or not _ROLE_NAME.match(name):
        raise EksError(f"{field}: {name!r} must be 1 to 64 of letters, digits and '+=,.@_-'")


def validate_policy_arn(field, value):
    if not isinstance(value, str) or not _POLICY_ARN.match(value):
        raise EksError(
            f"{field}: {value!r} is not a managed policy ARN (arn:PARTITION:iam::ACCOUNT:policy/NAME, "
            "or arn:aws:iam::aws:policy/NAME for an AWS managed policy)"
        )


def validate_max_session_duration(duration):
    if duration is not None and not 3600 <= duration <= 43200:
        raise EksError(f"max_session_duration: {duration} is outside 3600..43200 seconds")


# ---------------------------------------------------------------- compare (pure)
def _record(role_name, action, why, call, params, **fields):
    """A change record (``change.change``) of role ``role_name``; ``fields`` are what ``predict_role`` and
    ``apply_role_changes`` read (the record's ``params`` are the IAM call's)."""
    return change(f"IAM role {role_name}", action, why, call, params, **fields)


def fields(record):
    """The step a change record of a role stands for: its action and the values the apply step reads."""
    return {k: v for k, v in record.items() if k == "action" or k not in CHANGE_KEYS}


def _tags_param(tags):
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def compare_role(current, desired, trust):
    """The change records that take the role snapshot ``current`` (None: no role) to ``desired`` with the trust
    ``trust``.

    ``desired``: name, path (None: "/" on create, left as it is after), description, max_session_duration and
    permissions_boundary (None: left as they are; "" removes the boundary), managed_policies and inline_policies
    (None: left as they are), purge_policies (detach and delete what is not listed), tags (None: left as they are)
    and purge_tags. Each record's ``action`` names the step; its other fields hold the values the apply step needs.
    """
    name = desired["name"]
    changes = []
    managed = desired.get("managed_policies")
    inline = desired.get("inline_policies")
    if current is None:
        create = {"name": name, "trust_policy": trust, "tags": desired["tags"] or {}}
        if desired.get("path") not in (None, "/"):
            create["path"] = desired["path"]
        if desired["description"] is not None:
            create["description"] = desired["description"]
        if desired["max_session_duration"] is not None:
            create["max_session_duration"] = desired["max_session_duration"]
        if desired["permissions_boundary"]:
            create["permissions_boundary"] = desired["permissions_boundary"]
        changes.append(_record(name, "create_role", "not found", "create_role", _create_params(name, create), **create))
        changes.extend(_attach(name, arn) for arn in managed or [])
        changes.extend(_put_inline(name, n, d) for n, d in (inline or {}).items())
        return changes

    if trust is not None and policies_differ(current["trust_policy"], trust):
        changes.append(
            _record(name, "update_trust", "trust policy differs", "update_assume_role_policy",
                    dict(RoleName=name, PolicyDocument=trust), trust_policy=trust)  # fmt: skip
        )

    role_update = {}
    if desired["description"] is not None and desired["description"] != (current.get("description") or ""):
        role_update["description"] = desired["description"]
    if desired["max_session_duration"] is not None and desired["max_session_duration"] != current.get(
        "max_session_duration"
    ):
        role_update["max_session_duration"] = desired["max_session_duration"]
    if role_update:
        why = ", ".join(f"{k}: {current.get(k)!r} -> {v!r}" for k, v in role_update.items())
        changes.append(
            _record(name, "update_role", why, "update_role", _update_params(name, role_update), **role_update)
        )

    boundary = desired["permissions_boundary"]
    if boundary and boundary != current.get("permissions_boundary"):
        changes.append(
            _record(name, "put_boundary", f"permissions boundary {current.get('permissions_boundary')} -> {boundary}",
                    "put_role_permissions_boundary", dict(RoleName=name, PermissionsBoundary=boundary), arn=boundary)
        )  # fmt: skip
    elif boundary == "" and current.get("permissions_boundary"):
        changes.append(
            _record(name, "delete_boundary", f"permissions boundary {current['permissions_boundary']} removed",
                    "delete_role_permissions_boundary", dict(RoleName=name))
        )  # fmt: skip

    if managed is not None:
        attached = current["managed_policies"]
        changes.extend(_attach(name, a) for a in managed if a not in attached)
        if desired["purge_policies"]:
            changes.extend(_detach(name, a) for a in attached if a not in managed)

    if inline is not None:
        have = current["inline_policies"]
        for policy_name, document in inline.items():
            if policy_name not in have or policies_differ(have[policy_name], document):
                changes.append(_put_inline(name, policy_name, document))
        if desired["purge_policies"]:
            changes.extend(_delete_inline(name, n) for n in have if n not in inline)

    to_set, to_remove = tag_changes(current["tags"], desired["tags"], desired["purge_tags"])
    if to_set:
        changes.append(
            _record(name, "tag_role", ", ".join(sorted(to_set)), "tag_role",
                    dict(RoleName=name, Tags=_tags_param(to_set)), tags=to_set)  # fmt: skip
        )
    if to_remove:
        changes.append(
            _record(name, "untag_role", ", ".join(sorted(to_remove)), "untag_role",
                    dict(RoleName=name, TagKeys=sorted(to_remove)), keys=sorted(to_remove))  # fmt: skip
        )
    return changes


def _create_params(name, create):
    params = dict(RoleName=name, AssumeRolePolicyDocument=create["trust_policy"], Tags=_tags_param(create["tags"]))
    for key, param in (("path", "Path"), ("description", "Description"), ("max_session_duration", "MaxSessionDuration"),
                       ("permissions_boundary", "PermissionsBoundary")):  # fmt: skip
        if key in create:
            params[param] = create[key]
    return params


def _update_params(name, update):
    params = dict(RoleName=name)
    if "description" in update:
        params["Description"] = update["description"]
    if "max_session_duration" in update:
        params["MaxSessionDuration"] = update["max_session_duration"]
    return params


def _attach(name, arn):
    return _record(name, "attach_policy", arn, "attach_role_policy", dict(RoleName=name, PolicyArn=arn), arn=arn)


def _detach(name, arn):
    return _record(name, "detach_policy", arn, "detach_role_policy", dict(RoleName=name, PolicyArn=arn), arn=arn)


def _put_inline(name, policy_name, document):
    return _record(name, "put_inline_policy", policy_name, "put_role_policy",
                   dict(RoleName=name, PolicyName=policy_name, PolicyDocument=document),
                   policy_name=policy_name, document=document)  # fmt: skip


def _delete_inline(name, policy_name):
    return _record(name, "delete_inline_policy", policy_name, "delete_role_policy",
                   dict(RoleName=name, PolicyName=policy_name), policy_name=policy_name)  # fmt: skip


def deletion_changes(current, instance_profiles=()):
    """What deleting the role takes, in order: out of its instance profiles, its policies, the role (pure)."""
    name = current["name"]
    changes = [
        _record(name, "remove_from_instance_profile", p, "remove_role_from_instance_profile",
                dict(InstanceProfileName=p, RoleName=name), instance_profile=p)  # fmt: skip
        for p in instance_profiles
    ]
    changes.extend(_detach(name, arn) for arn in current["managed_policies"])
    changes.extend(_delete_inline(name, n) for n in current["inline_policies"])
    changes.append(_record(name, "delete_role", "state=absent", "delete_role", dict(RoleName=name), name=name))
    return changes


def predict_role(current, desired, changes):
    """The role snapshot after ``changes`` (check mode's answer, and the diff's after)."""
    role = copy.deepcopy(current) if current else None
    for record in changes:
        action = record["action"]
        if action == "create_role":
            role = {
                "arn": desired["arn"],
                "name": desired["name"],
                "path": record.get("path", "/"),
                "role_id": None,
                "create_date": None,
                "trust_policy": record["trust_policy"],
                "description": record.get("description", ""),
                "max_session_duration": record.get("max_session_duration", DEFAULT_MAX_SESSION_DURATION),
                "permissions_boundary": record.get("permissions_boundary"),
                "managed_policies": [],
                "inline_policies": {},
                "tags": dict(record["tags"]),
            }
        elif action == "update_trust":
            role["trust_policy"] = record["trust_policy"]
        elif action == "update_role":
            role.update({k: record[k] for k in ("description", "max_session_duration") if k in record})
        elif action == "put_boundary":
            role["permissions_boundary"] = record["arn"]
        elif action == "delete_boundary":
            role["permissions_boundary"] = None
        elif action == "attach_policy":
            role["managed_policies"].append(record["arn"])
        elif action == "detach_policy":
            role["managed_policies"].remove(record["arn"])
        elif action == "put_inline_policy":
            role["inline_policies"][record["policy_name"]] = record["document"]
        elif action == "delete_inline_policy":
            role["inline_policies"].pop(record["policy_name"], None)
        elif action in ("tag_role", "untag_role"):
            role["tags"] = tags_after(role["tags"], record)
        elif action == "delete_role":
            role = None
    return role


def role_view(role):
    """What eks_iam_role returns and diffs: the snapshot in a stable order, policy documents in canonical form."""
    if role is None:
        return None
    view = copy.deepcopy(role)
    view["trust_policy"] = canonical_policy(view["trust_policy"])
    view["managed_policies"] = sorted(view["managed_policies"])
    view["inline_policies"] = {n: canonical_policy(d) for n, d in sorted(view["inline_policies"].items())}
    view["tags"] = dict(sorted(view["tags"].items()))
    return view


def diff_view(role):
    """The view without what only AWS sets (ARN, id, creation date): the diff shows what the module manages."""
    if role is None:
        return None
    view = role_view(role)
    for key in ("arn", "role_id", "create_date"):
        view.pop(key, None)
    return view


# ---------------------------------------------------------------- read and apply
def tags_dict(tag_list):
    return {t["Key"]: t["Value"] for t in tag_list or []}


def read_role(iam, name):
    """The role as a normalized snapshot (policy documents and tags exactly as IAM has them), or None."""
    role = api.get_role(iam, name)
    if role is None:
        return None
    inline = {}
    for policy_name in api.list_role_policies(iam, name):
        document = api.get_role_policy(iam, name, policy_name)
        if document is not None:
            inline[policy_name] = decode_document(document)
    return {
        "arn": role["Arn"],
        "name": role["RoleName"],
        "path": role.get("Path", "/"),
        "role_id": role.get("RoleId"),
        "create_date": role["CreateDate"].isoformat() if hasattr(role.get("CreateDate"), "isoformat") else None,
        "trust_policy": decode_document(role.get("AssumeRolePolicyDocument")),
        "description": role.get("Description", ""),
        "max_session_duration": role.get("MaxSessionDuration", DEFAULT_MAX_SESSION_DURATION),
        "permissions_boundary": (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"),
        "managed_policies": [p["PolicyArn"] for p in api.list_attached_role_policies(iam, name)],
        "inline_policies": inline,
        # GetRole answers the role's tags (all of them: a role has at most 50); no Tags when it has none.
        "tags": tags_dict(role.get("Tags")),
    }


def apply_role_changes(iam, name, changes):
    for record in changes:
        action = record["action"]
        if action == "create_role":
            params = dict(
                RoleName=name,
                AssumeRolePolicyDocument=json.dumps(record["trust_policy"]),
                Tags=[{"Key": k, "Value": v} for k, v in record["tags"].items()],
            )
            if "path" in record:
                params["Path"] = record["path"]
            if "description" in record:
                params["Description"] = record["description"]
            if "max_session_duration" in record:
                params["MaxSessionDuration"] = record["max_session_duration"]
            if "permissions_boundary" in record:
                params["PermissionsBoundary"] = record["permissions_boundary"]
            api.create_role(iam, **params)
        elif action == "update_trust":
            api.update_assume_role_policy(iam, name, json.dumps(record["trust_policy"]))
        elif action == "update_role":
            params = {}
            if "description" in record:
                params["Description"] = record["description"]
            if "max_session_duration" in record:
                params["MaxSessionDuration"] = record["max_session_duration"]
            api.update_role(iam, name, **params)
        elif action == "put_boundary":
            api.put_role_permissions_boundary(iam, name, record["arn"])
        elif action == "delete_boundary":
            api.delete_role_permissions_boundary(iam, name)
        elif action == "attach_policy":
            api.attach_role_policy(iam, name, record["arn"])
        elif action == "detach_policy":
            api.detach_role_policy(iam, name, record["arn"])
        elif action == "put_inline_policy":
            api.put_role_policy(iam, name, record["policy_name"], json.dumps(record["document"]))
        elif action == "delete_inline_policy":
            api.delete_role_policy(iam, name, record["policy_name"])
        elif action == "tag_role":
            api.tag_role(iam, name, record["tags"])
        elif action == "untag_role":
            api.untag_role(iam, name, record["keys"])
        elif action == "remove_from_instance_profile":
            api.remove_role_from_instance_profile(iam, record["instance_profile"], name)
        elif action == "delete_role":
            api.delete_role(iam, name)


# ---------------------------------------------------------------- eks_iam_role
def validate_params(params):
    """Input errors found without AWS, each naming the option and the value at fault (pure)."""
    validate_role_name(params["name"])
    path = params.get("path")
    if path is not None and (len(path) > 512 or not _PATH.match(path)):
        raise EksError(f"path: {path!r} must start and end with '/' (printable ASCII in between, at most 512)")
    validate_max_session_duration(params.get("max_session_duration"))
    for index, arn in enumerate(params.get("managed_policy_arns") or []):
        validate_policy_arn(f"managed_policy_arns[{index}]", arn)
    boundary = params.get("permissions_boundary")
    if boundary:
        validate_policy_arn("permissions_boundary", boundary)
    for policy_name in params.get("inline_policies") or {}:
        if not _POLICY_NAME.match(policy_name):
            raise EksError(
                f"inline_policies: {policy_name!r} is not a policy name (1 to 128 of letters, digits, '+=,.@_-')"
            )
    parse_inline_policies(params.get("inline_policies"))
    if params.get("assume_role_policy") is not None:
        parse_policy("assume_role_policy", params["assume_role_policy"])
    for key, value in (params.get("tags") or {}).items():
        if not isinstance(value, (str, int, float)):
            raise EksError(f"tags.{key}: {value!r} is not a tag value (a string, or a number written as one)")


def build_desired(params):
    """What eks_iam_role asks for, from its params (pure); ``trust`` is None when neither trust option is set."""
    if params.get("trusted_service"):
        trust = service_trust(params["trusted_service"])
    elif params.get("assume_role_policy") is not None:
        trust = parse_policy("assume_role_policy", params["assume_role_policy"])
    else:
        trust = None
    managed = params.get("managed_policy_arns")
    inline = params.get("inline_policies")
    return {
        "name": params["name"],
        "path": params.get("path"),
        "trust_policy": trust,
        "description": params.get("description"),
        "max_session_duration": params.get("max_session_duration"),
        "permissions_boundary": params.get("permissions_boundary"),
        "managed_policies": list(dict.fromkeys(managed)) if managed is not None else None,
        "inline_policies": parse_inline_policies(inline) if inline is not None else None,
        "purge_policies": params.get("purge_policies", True),
        "tags": {k: str(v) for k, v in params["tags"].items()} if params.get("tags") is not None else None,
        "purge_tags": params.get("purge_tags", True),
    }


def validate_additional(params):
    """The O(additional_roles) of eks_iam_role, each checked as the role itself is, naming the entry (pure)."""
    specs = params.get("additional_roles") or []
    if specs and params["state"] == "absent":
        raise EksError("additional_roles: only with state=present (a role is deleted by its own run)")
    names = [params["name"]]
    for index, spec in enumerate(specs):
        where = f"additional_roles[{index}]"
        try:
            validate_params(spec)
        except EksError as e:
            raise EksError(f"{where}: {e}") from None
        if spec["name"] in names:
            raise EksError(f"{where}.name: {spec['name']!r} is named twice in this run")
        names.append(spec["name"])
    return specs


def _ensure_present(module, iam, params, identity):
    """One role made or converged: (changes, the role before, the role after (predicted in check mode), created).
    ``identity`` is a one-element list caching GetCallerIdentity for the roles this run creates."""
    desired = build_desired(params)
    name = desired["name"]
    current = read_role(iam, name)
    if current is None:
        if desired["trust_policy"] is None:
            raise EksError(f"role {name} does not exist: trusted_service or assume_role_policy is needed to create it")
        if not identity:
            identity.append(api.get_caller_identity(client(module, "sts")))
        desired["arn"] = role_arn(
            partition_of_arn(identity[0]["Arn"]), identity[0]["Account"], name, desired["path"] or "/"
        )
    else:
        if desired["path"] is not None and desired["path"] != current["path"]:
            raise EksError(
                f"path: role {name} has the path {current['path']!r}, not {desired['path']!r}; "
                "IAM cannot change a role's path (delete the role to make it again under the new path)"
            )
        desired["arn"] = current["arn"]

    changes = compare_role(current, desired, desired["trust_policy"])
    if changes and not module.check_mode:
        apply_role_changes(iam, name, changes)
        role = read_role(iam, name)
    else:
        role = predict_role(current, desired, changes)
    return changes, current, role, current is None


def ensure_role(module):
    """eks_iam_role: one IAM role, its trust, managed and inline policies and tags, in one run (and the
    O(additional_roles), each the same way, in the same run)."""
    params = module.params
    validate_params(params)
    additional = validate_additional(params)
    iam = client(module, "iam")
    name = params["name"]

    if params["state"] == "absent":
        current = read_role(iam, name)
        changes = []
        if current is not None:
            profiles = [p["InstanceProfileName"] for p in api.list_instance_profiles_for_role(iam, name)]
            changes = deletion_changes(current, profiles)
            if not module.check_mode:
                apply_role_changes(iam, name, changes)
        return _outcome(module, changes, current, None, created=False, name=name)

    identity = []
    changes, current, role, created = _ensure_present(module, iam, params, identity)
    others = []
    for spec in additional:
        other_changes, other_before, other_after, other_created = _ensure_present(module, iam, spec, identity)
        changes = changes + other_changes
        others.append((spec["name"], other_before, other_after, other_created))
    result = _outcome(module, changes, current, role, created=created, name=name)
    if additional:
        result["additional_roles"] = [
            dict(role_name=n, arn=(role_view(after) or {}).get("arn"), created=c, role=role_view(after))
            for n, _before, after, c in others
        ]
        if "diff" in result:
            result["diff"]["before"]["additional_roles"] = {
                n: diff_view(before) for n, before, _after, _c in others if before is not None
            }
            result["diff"]["after"]["additional_roles"] = {n: diff_view(after) for n, _b, after, _c in others}
    return result


def _outcome(module, changes, before, after, created, name):
    view = role_view(after)
    return outcome(
        module, "role", view, changes, before=before, after=after, view=diff_view,
        arn=view["arn"] if view else None, role_name=name, created=created,
    )  # fmt: skip
