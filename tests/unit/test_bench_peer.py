"""make bench's peer playbooks (amazon.aws and community.aws) parse and resolve their modules."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def ansible_playbook():
    """This interpreter's ansible-playbook when it has community.aws (the ansible package), else that of .venv,
    which make bench uses (a second environment with ansible-core and amazon.aws only, as the Python 3.12 pass of
    hack/sanity.sh has, lacks community.aws)."""
    try:
        if importlib.util.find_spec("ansible_collections.community.aws") is not None:
            return BIN / "ansible-playbook"
    except ModuleNotFoundError:  # no ansible_collections.community at all
        pass
    return ROOT / ".venv" / "bin" / "ansible-playbook"


def test_peer_playbooks_pass_syntax_check():
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_COLLECTIONS_PATH=str(ROOT / "collections"))
    result = subprocess.run(
        # One run for both (ansible-core's start-up is most of the time); a module it cannot resolve fails it.
        [str(ansible_playbook()), "--syntax-check"]
        + [str(ROOT / "bench" / "peer" / playbook) for playbook in ("site.yml", "teardown.yml")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ERROR" not in result.stderr, result.stderr
