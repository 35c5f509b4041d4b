# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Data handed over by a templating engine, as plain Python data.

Ansible hands a filter its dicts and lists as lazy containers whose values carry tags: ``copy.deepcopy`` of those
templates and copies every value anew (the definition's normalization, which copies each section it fills in, took
about 0.3 s of every play on them). Read once into plain dicts, lists, strings and numbers, the same data copies in a
few milliseconds, and a ClusterConfig read from YAML is checked as the plain mapping it is.
"""

from __future__ import annotations

from collections.abc import Mapping


def plain(value, key=None):
    """``value`` with every mapping a dict, every list or tuple a list, every string a str and every number an int
    or float of its own (bools and None as they are); each key through ``key`` (``str`` for a ClusterConfig), else
    made plain as the values are. A value nested deeper than Python recurses raises RecursionError."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, Mapping):
        return {(key or plain)(k): plain(v, key) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v, key) for v in value]
    return value
