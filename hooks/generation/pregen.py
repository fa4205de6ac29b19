"""Everything the pre-generation hook does."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from generation import answers as answer_rules
from generation.errors import GenerationError, report


def main(template_dir: Path, answers: Mapping[str, Any]) -> int:
    """Validate the answers against the rules and ``cookiecutter.json``."""
    definitions = json.loads((template_dir / "cookiecutter.json").read_text(encoding="utf-8"))
    try:
        answer_rules.validate(answers, definitions)
    except GenerationError as error:
        return report(error)
    return 0
