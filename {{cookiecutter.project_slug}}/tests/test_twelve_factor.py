"""The project keeps all twelve factors: the scorecard of tools/twelve_factor/ is clean.

A change that breaks a factor (a hard-coded secret, a log file, a fixed port, a variable missing
from example.env, a stale lock, ...) fails here with the evidence. `make twelve-factor` prints
the whole scorecard. The check is strict: this project keeps every convention the checker reads
(a Procfile, example.env, probes), so a missing one fails too.
"""

from pathlib import Path

from tools.twelve_factor import check_project

PROJECT_DIR = Path(__file__).resolve().parent.parent


def test_every_factor_passes() -> None:
    scorecard = check_project(PROJECT_DIR, strict=True)

    assert scorecard.ok, scorecard.render()
