# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether a value is a check run's pending value (vocabulary.is_pending); the filter is plugins/filter/pending.py."""

from __future__ import annotations

from ansible_collections.aews.eks.plugins.module_utils._eks import vocabulary


def pending(value):
    """The documentation is in pending.yml."""
    return vocabulary.is_pending(value)


class TestModule:
    def tests(self):
        return {"pending": pending}
