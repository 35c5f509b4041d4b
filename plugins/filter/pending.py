# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pending value a check run gives a resource it predicts (vocabulary.pending); the test is
plugins/test/pending.py."""

from __future__ import annotations

from ansible_collections.aews.eks.plugins.module_utils._eks import vocabulary
from ansible_collections.aews.eks.plugins.plugin_utils.filter_errors import problems_of


def pending(kind, name=None):
    """The documentation is in pending.yml."""
    with problems_of("pending", ValueError):
        return vocabulary.pending(kind, name)


class FilterModule:
    def filters(self):
        return {"pending": pending}
