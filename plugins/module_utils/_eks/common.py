# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Module set-up, clients, tag and result conversion, check and diff helpers shared by every module."""

from __future__ import annotations

import copy

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from .errors import EksError
from .retry import IAM_PROPAGATION_TIMEOUT
from .retry import iam_propagation

COLLECTION_NAME = "aews.eks"
COLLECTION_VERSION = "0.1.0"

# Keys whose contents belong to the user (or to Kubernetes) and are returned exactly as AWS has them.
USER_OWNED_KEYS = ("tags", "labels", "configurationValues", "configuration_values")

WAIT_SPEC = dict(
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=1200),
)

# The option of the modules whose creates name an IAM role or OIDC provider (doc fragment aews.eks.iam_propagation).
IAM_PROPAGATION_SPEC = dict(
    iam_propagation_timeout=dict(type="int", default=IAM_PROPAGATION_TIMEOUT),
)


def create_module(argument_spec, **kwargs):
    """An AnsibleAWSModule whose user agent names this collection.

    amazon.aws's module class (and with it boto3) is imported here, not when this file is: the filter plugins import
    module_utils that import this file, and Ansible loads them again in every worker that templates one of them.
    """
    from ansible_collections.amazon.aws.plugins.module_utils.common import set_collection_info
    from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

    class _Module(AnsibleAWSModule):
        """ansible-core (2.19 on) returns the warnings ``warn`` makes by itself; amazon.aws 10 also passes them to
        ``exit_json`` / ``fail_json``, which ansible-core deprecates (a deprecation warning on every run that
        warns)."""

        def _should_inject_warnings(self):
            return False

    set_collection_info(collection_name=COLLECTION_NAME, collection_version=COLLECTION_VERSION)
    return _Module(argument_spec=argument_spec, **kwargs)


class _Client:
    """A boto3 client with the module's IAM propagation retry; calls go straight to the client (the retries of
    throttling and faults are attached to each wrapper of ``api``)."""

    def __init__(self, plain):
        self.client = plain

    def __getattr__(self, name):
        return getattr(self.client, name)


def client(module, service):
    """A boto3 client for the wrappers of ``api`` (which retry throttling and transient errors with jittered backoff).

    It carries the module's IAM propagation retry (``iam_propagation``, used by the create wrappers in
    ``api``); each wait it makes is reported as a warning of the module's result. A module run makes one client per
    service (each costs a boto3 session, its endpoint data and the service's model): asked again, the same one.
    """
    made = getattr(module, "_aews_clients", None)
    if made is None:
        made = {}
        try:
            module._aews_clients = made
        except AttributeError:  # an object that takes no attribute: a client per call
            pass
    if service in made:
        return made[service]
    plain = module.client(service)
    wrapped = _Client(plain)
    params = getattr(module, "params", None) or {}
    wrapped.iam_propagation = iam_propagation(params.get("iam_propagation_timeout", IAM_PROPAGATION_TIMEOUT))
    wrapped.iam_propagation.notes = _Notes(getattr(module, "warn", None))
    made[service] = wrapped
    return wrapped


class _Notes(list):
    """Notes of the waits a run made; each becomes a warning of the module's result as it is noted."""

    def __init__(self, warn):
        super().__init__()
        self.warn = warn

    def append(self, note):
        super().append(note)
        if self.warn:
            self.warn(note)


def raw_client(wrapped):
    """The plain boto3 client behind a retrying wrapper (botocore waiters take the plain one)."""
    return getattr(wrapped, "client", wrapped)


def to_ansible(resource, user_keys=USER_OWNED_KEYS):
    """snake_case an AWS resource, leaving the contents of user-owned keys exactly as they are."""
    if resource is None:
        return None
    return _convert(_scrub_datetimes(copy.deepcopy(resource)), user_keys)


def _convert(value, user_keys):
    # camel_dict_to_snake_dict's ignore_list only works at the top level: user-owned keys are kept at any depth.
    if isinstance(value, dict):
        return {_snake(k): (v if k in user_keys else _convert(v, user_keys)) for k, v in value.items()}
    if isinstance(value, list):
        return [_convert(v, user_keys) for v in value]
    return value


def _snake(key):
    return camel_dict_to_snake_dict({key: None}).popitem()[0]


def _scrub_datetimes(value):
    if isinstance(value, dict):
        return {k: _scrub_datetimes(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_datetimes(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def tag_changes(current, desired, purge):
    """(tags to set, keys to remove); desired None means the user did not ask about tags."""
    if desired is None:
        return {}, []
    return compare_aws_tags(current or {}, desired, purge_tags=purge)


def apply_tag_changes(current, to_set, to_remove):
    result = dict(current or {})
    for key in to_remove:
        result.pop(key, None)
    result.update(to_set)
    return result


def tags_after(current, record):
    """The tags once a tag record (its ``tags`` set) or an untag record (its ``keys`` removed) is made."""
    return apply_tag_changes(current, record.get("tags") or {}, record.get("keys") or [])


def drop_empty(value):
    """``value`` without the keys (at any depth of its dicts) whose value is None or empty: a diff view's shape."""
    if isinstance(value, dict):
        value = {k: drop_empty(v) for k, v in value.items()}
        return {k: v for k, v in value.items() if v not in (None, {}, [])}
    return value


def described(name, list_names, describe):
    """What an ``*_info`` module lists: the resource ``name`` names, or (none named) those ``list_names()`` gives,
    each as ``describe(name)`` returns it, in order, without those not there (or gone since they were listed)."""
    names = [name] if name else list_names()
    return [item for item in map(describe, names) if item]


def run(module, func):
    """Call ``func(module)`` and exit with the result it returns (``change.outcome``); the one place where a module
    exits and where collection errors become fail_json."""
    try:
        result = func(module)
    except EksError as e:
        module.fail_json(msg=str(e), **e.kwargs)
    if isinstance(result, dict):
        module.exit_json(**result)
