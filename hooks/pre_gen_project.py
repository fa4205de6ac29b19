"""Validate the answers before any file is written (logic: hooks/generation/pregen.py)."""

import json
import sys
from pathlib import Path

TEMPLATE_DIR = Path({{ template_dir | tojson }})
sys.path.insert(0, str(TEMPLATE_DIR / "hooks"))

from generation import pregen  # noqa: E402

sys.exit(pregen.main(TEMPLATE_DIR, json.loads({{ cookiecutter | jsonify | tojson }})))
