"""Shape, check and lock the new project (logic: hooks/generation/postgen.py)."""

import json
import sys
from pathlib import Path

TEMPLATE_DIR = Path({{ template_dir | tojson }})
sys.path.insert(0, str(TEMPLATE_DIR / "hooks"))

from generation import postgen  # noqa: E402

sys.exit(postgen.main(Path.cwd(), json.loads({{ cookiecutter | jsonify | tojson }})))
