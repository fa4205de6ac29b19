"""The one way a hook reports an expected failure: a single line, no traceback."""

from __future__ import annotations

import sys


class GenerationError(Exception):
    """An expected failure (a bad answer, a failed output check) to show as one line."""


def report(error: GenerationError) -> int:
    """Print ``error`` as one line on stderr and return the hook's exit status."""
    print(f"cookiecutter-twelve-factor: error: {error}", file=sys.stderr)
    return 1
