# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the collection's filters fail: a problem of the code they call fails the template naming the filter
(``problems_of``), and the errors option of the filters that check a definition (doc fragment aews.eks.filter_errors)
returns it instead when asked (``check_errors``, ``reported``)."""

from __future__ import annotations

import contextlib

from ansible.errors import AnsibleFilterError

ERRORS = ("raise", "return")


@contextlib.contextmanager
def problems_of(name, *errors):
    """Within: an exception of ``errors`` fails the template as "aews.eks.<name>: <problem>"."""
    try:
        yield
    except errors as e:
        raise AnsibleFilterError(f"aews.eks.{name}: {e}") from e


def check_errors(name, errors):
    """``errors`` is one of ERRORS, before anything is read."""
    if errors not in ERRORS:
        raise AnsibleFilterError(f"aews.eks.{name}: errors must be {' or '.join(ERRORS)}")


def reported(problem, errors, message, cause=None):
    """A ``problem`` (the exception caught) as ``errors`` asks: {"error": str(problem)}, or raised as an
    AnsibleFilterError with ``message`` (from ``cause``: None shows the message alone)."""
    if errors == "return":
        return {"error": str(problem)}
    raise AnsibleFilterError(message) from cause
