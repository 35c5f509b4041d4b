# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading a ClusterConfig (YAML / JSON text or a mapping) and the helpers every section uses on a checked one."""

from __future__ import annotations

import json

from ansible_collections.aews.eks.plugins.module_utils._eks.eksctl.messages import EksctlConfigError
from ansible_collections.aews.eks.plugins.module_utils._eks.plain import plain

try:
    import yaml
except ImportError:  # pragma: no cover - PyYAML ships with ansible-core
    yaml = None


def load(config):
    """The ClusterConfig as a dict, from a dict or from YAML/JSON text."""
    if isinstance(config, bytes):
        config = config.decode("utf-8")
    if isinstance(config, str):
        if yaml is None:  # pragma: no cover
            raise EksctlConfigError([("", "PyYAML is needed to read the ClusterConfig text")])
        try:
            config = yaml.safe_load(config)
        except yaml.YAMLError as e:
            raise EksctlConfigError([("", f"the ClusterConfig is not valid YAML: {e}")]) from e
        except RecursionError:
            raise EksctlConfigError([("", "the ClusterConfig is nested too deeply to read")]) from None
    if not isinstance(config, dict):
        raise EksctlConfigError([("", f"the ClusterConfig must be a mapping, not {type(config).__name__}")])
    try:
        return plain(config, key=str)
    except RecursionError:
        raise EksctlConfigError([("", "the ClusterConfig is nested too deeply to read")]) from None


def _parse_document(text):
    """A JSON or YAML document given as text (eksctl's configurationValues)."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    except RecursionError:
        raise ValueError("is nested too deeply to read") from None
    if yaml is None:  # pragma: no cover
        raise ValueError("is not valid JSON")
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ValueError(f"is neither valid JSON nor valid YAML: {e}") from e
    except RecursionError:
        raise ValueError("is nested too deeply to read") from None


def _entries(value):
    """The entries of a checked list, without the null ones (each already reported)."""
    return [item for item in value or [] if item is not None]


def _indexed(value):
    """(index, entry) of a checked list's entries that are mappings, with the index eksctl's path has."""
    return [(index, item) for index, item in enumerate(value or []) if isinstance(item, dict)]


def _listed_once(item, path, seen, problems, twice, key=str):
    """The ``name`` of a list's ``item`` at ``path``: required, and not the name (compared by ``key(name)``) of an
    item before it; ``seen`` maps the names so far to the path of their item, ``twice(name, first_path)`` is the
    problem of a name listed again."""
    name = item.get("name")
    if not name:
        problems.append((f"{path}.name", "is required"))
    elif key(name) in seen:
        problems.append((f"{path}.name", twice(name, seen[key(name)])))
    else:
        seen[key(name)] = path


def _given(result, source, names):
    """``result`` with the values ``source`` sets (not empty) of the keys ``names`` pairs (eksctl key, definition
    key), under the definition's keys."""
    for key, name in names:
        if source.get(key):
            result[name] = source[key]


def _enabled(flags, names):
    """The snake_case names of the flags set to true, each once, in eksctl's order."""
    result = []
    for key, name in names.items():
        if (flags or {}).get(key) and name not in result:
            result.append(name)
    return result


def _sub_paths(paths, head, base, keys):
    paths[head] = base
    for key, value in keys.items():
        paths[f"{head}.{key}"] = f"{base}.{value}"
