"""The filter and test plugin files import neither boto3 nor botocore (nor the module_utils that do).

Ansible loads every filter file of the collection in each worker process that resolves an unqualified filter name
(``default``, ``zip``, ``map`` in a role of this collection look in aews.eks first), so whatever these files import at
their top is paid by most tasks of a play: boto3 and botocore cost about 0.15 s a task on a 2-core machine.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[4]
PLUGINS = sorted(
    f"ansible_collections.aews.eks.plugins.{kind}.{path.stem}"
    for kind in ("filter", "test")
    for path in (ROOT / "plugins" / kind).glob("*.py")
    if path.stem != "__init__"
)
HEAVY = ("boto3", "botocore", "yaml")

PROBE = """
import json, sys
import ansible.errors, ansible.module_utils.basic
before = set(sys.modules)
module = __import__(sys.argv[1], fromlist=["FilterModule", "TestModule"])
plugin = getattr(module, "FilterModule", None) or getattr(module, "TestModule")
names = sorted((plugin().filters() if hasattr(plugin, "filters") else plugin().tests()))
print(json.dumps({"loaded": sorted(set(sys.modules) - before), "names": names}))
"""


def test_every_plugin_file_is_probed():
    assert len(PLUGINS) >= 12
    assert "ansible_collections.aews.eks.plugins.filter.cluster_definition" in PLUGINS


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.rsplit(".", 2)[-2] + "." + p.rsplit(".", 1)[-1])
def test_plugin_file_import_is_light(plugin):
    result = subprocess.run(
        [sys.executable, "-c", PROBE, plugin],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT / "collections",
    )
    data = json.loads(result.stdout)
    assert data["names"], f"{plugin} declares no filter or test"
    heavy = [name for name in data["loaded"] if name.split(".")[0] in HEAVY]
    assert heavy == [], f"importing {plugin} loads {sorted({h.split('.')[0] for h in heavy})}"
