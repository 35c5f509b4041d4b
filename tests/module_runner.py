"""Run one of the collection's modules in-process, as Ansible would, and return its result.

Functional tests use this against the local AWS endpoint: it goes through the module's real
argument parsing, check mode and diff handling, and exit_json/fail_json, without a playbook.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json

from ansible.module_utils import _internal
from ansible.module_utils.common import warnings as module_warnings
from ansible.module_utils.testing import patch_module_args


class ModuleFailed(AssertionError):
    def __init__(self, result):
        super().__init__(result.get("msg"))
        self.result = result


def run_module(name, params, check_mode=False, diff=False, expect_failure=False):
    """Run ``aews.eks.<name>`` with ``params``; return the result dict.

    A module that fails raises ModuleFailed (carrying the result) unless ``expect_failure``,
    in which case the failed result is returned; a module that succeeds when a failure was
    expected raises AssertionError.
    """
    module = importlib.import_module(f"ansible_collections.aews.eks.plugins.modules.{name}")
    args = dict(params)
    args["_ansible_check_mode"] = check_mode
    args["_ansible_diff"] = diff
    args["_ansible_remote_tmp"] = "/tmp"
    args["_ansible_keep_remote_files"] = False
    stdout = io.StringIO()
    # As in a module process of its own: warnings and deprecations start empty and are returned with the result.
    # (Once this process has imported controller code, ansible-core would print them on the controller instead.)
    module_warnings._global_warnings.clear()
    module_warnings._global_deprecations.clear()
    is_controller = _internal.is_controller
    _internal.is_controller = False
    try:
        with patch_module_args(args), contextlib.redirect_stdout(stdout):
            try:
                module.main()
            except SystemExit:
                pass
    finally:
        _internal.is_controller = is_controller
    result = json.loads(stdout.getvalue())
    if result.get("failed") and not expect_failure:
        raise ModuleFailed(result)
    if expect_failure and not result.get("failed"):
        raise AssertionError(f"{name} was expected to fail but returned {result}")
    return result
