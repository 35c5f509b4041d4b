# -*- coding: utf-8 -*-
# Copyright: Contributors to the aews.eks project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A local stand-in for the pip bootstrap script ansible-test downloads before it builds a test environment.

ansible-test creates each sanity test environment without pip, then runs a cached ``get-pip`` script
(``~/.ansible/test/cache/get_pip_<version>.py``) that it otherwise downloads from a host outside the
package index. hack/sanity.sh puts this file in that cache. It takes the same arguments as get-pip
(pip install arguments plus ``--no-setuptools`` / ``--no-wheel``): it installs the pip bundled with
Python (ensurepip, no network), then the requested packages from the package index. ansible-test runs
it with a scrubbed environment (no ``PIP_*`` variables), so the pip configuration that hack/sanity.sh
wrote beside this file (``aews-pip.conf``) is copied into the new environment, where every later pip
call in it reads it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

OWN_FLAGS = ("--no-setuptools", "--no-wheel")


def main():
    args = [arg for arg in sys.argv[1:] if arg not in OWN_FLAGS]
    conf = os.path.join(os.path.dirname(os.path.abspath(__file__)), "aews-pip.conf")
    if os.path.isfile(conf):
        shutil.copyfile(conf, os.path.join(sys.prefix, "pip.conf"))
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"], stdout=subprocess.DEVNULL)
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--upgrade", "--quiet"] + args)
    if "--no-setuptools" in sys.argv[1:]:
        # ensurepip brings setuptools on older Pythons; the environment is meant to start without it.
        subprocess.call(
            [sys.executable, "-m", "pip", "uninstall", "--yes", "--quiet", "setuptools"], stderr=subprocess.DEVNULL
        )


if __name__ == "__main__":
    main()
