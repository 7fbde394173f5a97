# SPDX-License-Identifier: MIT
"""The package's version comes from the one version source, the project version in the top-level
CMakeLists.txt (or, in a copy installed by cmake --install, from amls_graph/_build.py)."""
import os
import re

from setuptools import setup

here = os.path.dirname(os.path.abspath(__file__))


def project_version():
    build = os.path.join(here, "amls_graph", "_build.py")
    if os.path.exists(build):
        m = re.search(r"VERSION = '([^']+)'", open(build).read())
        if m:
            return m.group(1)
    cmake = os.path.join(here, os.pardir, "CMakeLists.txt")
    if os.path.exists(cmake):
        m = re.search(r"project\(amls-graph VERSION ([0-9.]+)", open(cmake).read())
        if m:
            return m.group(1)
    raise RuntimeError("amls-graph: no version found (neither amls_graph/_build.py nor "
                       "../CMakeLists.txt)")


setup(version=project_version())
