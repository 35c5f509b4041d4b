# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The eksctl importer's error (every problem of a ClusterConfig, each by its path) and the words its
messages share."""

from __future__ import annotations


class EksctlConfigError(ValueError):
    """The ClusterConfig cannot be converted; ``problems`` lists each one as (path, what is wrong)."""

    def __init__(self, problems):
        self.problems = list(problems)
        lines = [f"{path}: {what}" if path else what for path, what in self.problems]
        super().__init__("the eksctl ClusterConfig cannot be converted:\n  " + "\n  ".join(lines))

    @property
    def paths(self):
        return [path for path, _what in self.problems]


UNSUPPORTED = "not supported by aews.eks yet"


def _kind(value):
    """The YAML name of a value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
