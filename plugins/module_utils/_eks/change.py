# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one change model every resource module follows.

A run goes through four steps, each kept apart:

1. ``desired = build_desired(params)``: what the user asked for, from the module's params (pure; options left
   unset are ``None`` and left as they are).
2. ``changes = plan(current, desired)``: a pure function returning an ordered list of change records
   (:func:`change`): what changes, why, and the API call with its parameters. It raises ``EksError`` before any
   call for anything that cannot be done (immutable attributes, downgrades, bad input).
3. ``predict(current, changes)``: the resource as it will be once the changes are made (what check mode returns).
4. ``apply``: runs the changes in order through ``api`` and waits (not in check mode).

The module's function returns :func:`outcome` (one result shape for every module: ``changed``, ``changes``, the
resource under one singular key, ``diff`` in diff mode); only ``common.run`` exits.
"""

from __future__ import annotations

import copy

# The keys of a change record, in the order they are shown.
CHANGE_KEYS = ("resource", "action", "why", "call", "params")


def change(resource, action, why, call=None, params=None, **extra):
    """One change record.

    resource: what changes ("cluster myeks", "nodegroup ng-1", "route table rtb-1 route 0.0.0.0/0").
    action: the verb: create, update, tag, untag, associate, disassociate, delete ...
    why: one line for a person: what differs ("version 1.32 -> 1.33").
    call: the ``api`` wrapper (or AWS operation) that makes it; params: its parameters (deep-copied).
    extra: anything the resource's own ``apply`` / ``predict`` needs (kept in the record, not shown by ``public``).
    """
    record = {
        "resource": resource,
        "action": action,
        "why": why,
        "call": call,
        "params": copy.deepcopy(params) if params is not None else {},
    }
    record.update(extra)
    return record


def public(record):
    """A change record as a module returns it (the ``CHANGE_KEYS`` only)."""
    return {key: copy.deepcopy(record.get(key)) for key in CHANGE_KEYS}


def summary(changes):
    """The changes as lines: "<action> <resource>: <why>"."""
    return [f"{c['action']} {c['resource']}" + (f": {c['why']}" if c.get("why") else "") for c in changes]


def outcome(module, key, resource, changes=(), before=None, after=None, view=None, **extra):
    """The result of a module run, the same shape for every module.

    ``changed`` is True exactly when there are changes (made, or predicted in check mode); ``changes`` holds
    their public records; ``resource`` is returned under ``key``. In diff mode ``diff`` holds ``view(before)``
    and ``view(after)`` (``after`` defaults to ``resource``; ``view`` defaults to the value itself, ``{}`` for
    nothing). ``extra`` is added as is (for example ``warnings`` or a module's own extra keys).
    """
    changes = list(changes or ())
    result = dict(changed=bool(changes), changes=[public(c) for c in changes])
    result.update(extra)
    result[key] = resource
    if getattr(module, "_diff", False):
        show = view or (lambda value: value)
        result["diff"] = {
            "before": show(before) or {} if before is not None else {},
            "after": show(resource if after is None else after) or {},
        }
    return result


def apply(changes, runner):
    """Run ``runner(change)`` for each change in order; the list of what each returned."""
    return [runner(c) for c in changes]
