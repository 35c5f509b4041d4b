# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every module's code shares: the argument spec fragments its DOCUMENTATION repeats, and its ``main``.

A module keeps its DOCUMENTATION / EXAMPLES / RETURN, its own options and the function that does its work; its
``main()`` is ``run_module(argument_spec([fragments], **options), func)``. The fragments are the options several modules document the
same way (ansible-test's validate-modules compares the spec built here with each module's DOCUMENTATION).
"""

from __future__ import annotations

import copy

from .common import IAM_PROPAGATION_SPEC
from .common import WAIT_SPEC
from .common import create_module
from .common import run

# The cluster a resource belongs to (access entries, add-ons, nodegroups, Fargate profiles ...).
CLUSTER_NAME = dict(cluster_name=dict(type="str", required=True))

# Tags of the resource, the other tags removed unless purge_tags is false (aliases as amazon.aws's modules).
TAGS = dict(
    tags=dict(type="dict", aliases=["resource_tags"]),
    purge_tags=dict(type="bool", default=True),
)

STATE = dict(state=dict(type="str", choices=["present", "absent"], default="present"))

# wait (true: until the resource is ACTIVE or gone) and wait_timeout: doc fragment aews.eks.wait.
WAIT = WAIT_SPEC

IAM_PROPAGATION = IAM_PROPAGATION_SPEC

# The fragments of a resource module that is created, tagged and deleted: tags, purge_tags and state.
RESOURCE = dict(TAGS, **STATE)

# The IAM role a module makes (eks_iam_role, eks_irsa): its description, permissions boundary and maximum session
# duration, each left as it is when unset (doc fragment aews.eks.iam_role).
ROLE = dict(
    description=dict(type="str"),
    permissions_boundary=dict(type="str"),
    max_session_duration=dict(type="int"),
)


def wait_choices(choices, default, timeout=1200):
    """``wait`` among named ends (``choices``, e.g. the add-on's none / created / active) and ``wait_timeout``."""
    return dict(
        wait=dict(type="str", choices=list(choices), default=default),
        wait_timeout=dict(type="int", default=timeout),
    )


def argument_spec(fragments=(), **options):
    """One module's argument spec: the shared ``fragments`` (a list of dicts of options, in order), then its own
    ``options``.

    Each module gets its own copy, so no module's option changes another's; an option named twice is a mistake.
    """
    spec = {}
    for part in list(fragments) + [options]:
        for name, option in part.items():
            if name in spec:
                raise ValueError(f"argument_spec: option {name} given twice")
            spec[name] = copy.deepcopy(option)
    return spec


def run_module(spec, func, **kwargs):
    """A module's whole ``main``: the module (check mode supported; ``kwargs`` are AnsibleModule's option
    constraints such as mutually_exclusive or required_if), then ``func(module)`` through ``common.run``."""
    run(create_module(spec, supports_check_mode=True, **kwargs), func)
