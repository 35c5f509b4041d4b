# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a problem of a cluster definition is, in the user's own input (pure, no import of boto3).

The definition path (``aews_eks_cluster.nodegroups[1].desired_size``), or for a definition converted from an
eksctl ClusterConfig, the ClusterConfig path (``managedNodeGroups[1].desiredCapacity``) from the ``source.paths``
map the conversion leaves in it. Fields named inside a problem's text (``ref``) are translated the same way.
"""

from __future__ import annotations

import difflib
import re

# A reference to another field inside a problem text, shown as that field's path in the user's input.
REF = "\x1f"
ROOT = "aews_eks_cluster"


def ref(path):
    """A field named inside a problem's text (translated like the problem's own path)."""
    return f"{REF}{path}{REF}"


def source_path(path, paths=None):
    """The path of a definition field in the user's input: its eksctl path when ``paths`` maps it."""
    if not paths:
        return path
    best = None
    for key in paths:
        if path == key or path.startswith(key + ".") or path.startswith(key + "["):
            if best is None or len(key) > len(best):
                best = key
    if best is None:
        return path
    return paths[best] + path[len(best) :]


def message_text(text, paths=None):
    """``text`` with the fields it names (``ref``) shown as their paths in the user's input."""
    return re.sub(f"{REF}(.*?){REF}", lambda m: source_path(m.group(1), paths), text)


def message(path, problem, paths=None):
    """One line: the field's path in the user's input, then the problem (fields it names translated too)."""
    text = message_text(problem, paths)
    if paths:
        head = source_path(path, paths) if path else "the eksctl ClusterConfig"
    else:
        head = f"{ROOT}.{path}" if path else ROOT
    return f"{head}: {text}"


def suggestion(word, candidates):
    close = difflib.get_close_matches(str(word), [str(c) for c in candidates], n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""
