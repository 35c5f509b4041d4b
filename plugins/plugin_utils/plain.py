# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Template values as plain Python data, for the filters that copy what they are given.

Ansible hands a filter its dicts and lists as lazy containers whose values carry tags; ``copy.deepcopy`` of those
templates and copies every value anew, which made the definition's normalization (it copies each section it fills in)
take about 0.3 s of every play. Read once into plain dicts, lists, strings and numbers, the same data copies in a few
milliseconds.
"""

from __future__ import annotations

from collections.abc import Mapping


def plain(value):
    """``value`` with every mapping a dict, every list or tuple a list, every string a str and every number an int
    or float of its own (bools and None as they are). A value nested too deeply for that is returned as it is: the
    filter's own checks say so, naming where."""
    try:
        return _plain(value)
    except RecursionError:
        return value


def _plain(value):
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, Mapping):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
