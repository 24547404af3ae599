"""Every benchmark in one run, beside the floor: ``python bench/run_all.py [--help]``.

The same as ``kepu bench`` (kepu_server/benchmark/); docs/capacity.md reads the figures.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kepu_server.benchmark.run import main  # noqa: E402

if __name__ == "__main__":
    main()
