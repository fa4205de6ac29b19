"""The README's generate command works as written (with --no-input, since tests have no stdin)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from support.template import TEMPLATE_DIR

README = (TEMPLATE_DIR / "README.md").read_text()
COMMANDS = re.findall(r"```bash\n(.+?)\n```", README, re.DOTALL)


def test_readme_gives_the_two_commands() -> None:
    assert COMMANDS[:2] == [
        "python3 -m venv .venv && .venv/bin/pip install --quiet cookiecutter && "
        ".venv/bin/cookiecutter --output-dir .. .",
        "scripts/test",
    ]


# It installs cookiecutter from the package index into a new virtual environment, as written.
@pytest.mark.integration
def test_generate_command_works_in_a_fresh_checkout(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=TEMPLATE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in files:
        if (TEMPLATE_DIR / name).is_file():
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(TEMPLATE_DIR / name, checkout / name)

    result = subprocess.run(
        ["bash", "-c", COMMANDS[0] + " --no-input"],
        cwd=checkout,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=600,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "twelve_factor_service" / "manage.py").is_file()
