"""The template's benchmarks: ``python -m benchmarks`` measures and writes docs/benchmarks.md."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The measuring code reuses the tests' helpers (tests/support) and the hooks' modules.
for _path in (ROOT / "hooks", ROOT / "tests"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))
