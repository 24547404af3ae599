"""Throwaway virtual environments for tests that install a wheel, built offline.

A new environment made with ``--system-site-packages`` would see the *base* interpreter's
packages (on a new PC, Debian's ``/usr/bin/python3`` has no Flask, no Markdown), not the
test environment that the README creates. Instead the new environment gets a ``.pth`` file
that adds this test environment's site-packages as a site directory (so its own ``.pth``
files, such as an editable install's finder, work too). The new environment's own
site-packages comes first on ``sys.path``, so what is installed into it wins; pip (from the
test environment) installs into the new one, and finds the dependencies already there.
"""

from __future__ import annotations

import os
import subprocess
import sysconfig
import venv
from pathlib import Path


def bin_dir(env_dir: Path) -> Path:
    return env_dir / ("Scripts" if os.name == "nt" else "bin")


def venv_over_this_one(env_dir: Path) -> Path:
    """Create ``env_dir`` (no pip, no system packages) seeing this environment's packages;
    return its ``python``."""
    venv.create(env_dir, with_pip=False, symlinks=os.name != "nt")
    python = bin_dir(env_dir) / ("python.exe" if os.name == "nt" else "python")
    own_site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    ours = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    lines = "".join(f"import site; site.addsitedir({path!r})\n" for path in ours)
    Path(own_site, "_kepu_test_environment.pth").write_text(lines, encoding="utf-8")
    return python
