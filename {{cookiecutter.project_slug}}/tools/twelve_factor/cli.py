"""The command line: ``python -m tools.twelve_factor`` in a project, ``twelve-factor`` when
installed from the template repository, and the pre-commit hook.

Exit status: 0 when no factor fails, 1 when one does, 2 for a usage or configuration error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from .options import OptionsError, check_waivers
from .registry import checks, checks_table, describe
from .runner import check_project


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="twelve-factor",
        description="Check a project against the twelve factors (https://12factor.net).",
    )
    parser.add_argument("path", nargs="?", default=".", help="project directory (default: .)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the result as JSON (schema 1)")
    output.add_argument(
        "--format",
        choices=("text", "json", "github", "markdown"),
        default=None,
        help="text (default), json, github (workflow annotations); markdown only with --list",
    )
    parser.add_argument("--list", action="store_true", help="list the check ids and exit")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="a missing fact (no Procfile, no example env file...) fails its factor too",
    )
    parser.add_argument(
        "--waive",
        action="append",
        default=[],
        metavar="CHECK=REASON",
        help="report this check's findings with the reason, failing nothing (repeatable)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    arguments = parser.parse_args(argv)
    output = "json" if arguments.json else (arguments.format or "text")
    if arguments.list:
        if output == "json":
            print(json.dumps([describe(item.id) for item in checks()], indent=2))
        else:
            print(checks_table(markdown=output == "markdown"))
        return 0
    if output == "markdown":
        parser.error("--format markdown goes with --list")
    root = Path(arguments.path)
    if not root.is_dir():
        parser.error(f"{root} is not a directory")
    try:
        waive = check_waivers(dict(_waiver(text, parser) for text in arguments.waive), "--waive")
        scorecard = check_project(root, waive=waive, strict=arguments.strict or None)
    except OptionsError as error:
        print(f"twelve-factor: error: {error}", file=sys.stderr)
        return 2
    if output == "json":
        print(scorecard.render_json())
    elif output == "github":
        print(scorecard.render_github())
    else:
        print(scorecard.render())
    return 0 if scorecard.ok else 1


def _waiver(text: str, parser: argparse.ArgumentParser) -> tuple[str, str]:
    identifier, separator, reason = text.partition("=")
    if not separator or not reason.strip():
        parser.error(f"--waive {text}: give the reason too, as CHECK=REASON")
    return identifier.strip(), reason


if __name__ == "__main__":
    sys.exit(main())
