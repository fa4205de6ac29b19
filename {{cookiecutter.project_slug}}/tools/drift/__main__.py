"""``python -m tools.drift drift | render DIR | update``: the Makefile's `drift`,
`render-pristine` and `template-update` targets."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tools.drift.report import drift, render
from tools.drift.template import DriftError
from tools.drift.update import update


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.drift", description="The template.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("drift", help="print (a) your changes, (b) the template's, (c) the merge")
    rendering = commands.add_parser("render", help="render the linked commit into DIR/<slug>")
    rendering.add_argument("directory", type=Path)
    updating = commands.add_parser("update", help="cruft update, conflicts fail, re-lock")
    updating.add_argument("--summary", type=Path, help="also write the report here (Markdown)")
    updating.add_argument(
        "--ask",
        action=argparse.BooleanOptionalAction,
        default=sys.stdin.isatty(),
        help="ask the questions the template added (default: when run in a terminal)",
    )
    arguments = parser.parse_args(argv)
    project = Path.cwd()
    try:
        if arguments.command == "drift":
            return drift(project)
        if arguments.command == "render":
            return render(project, arguments.directory)
        return update(project, arguments.summary, arguments.ask)
    except DriftError as error:
        print(f"tools.drift: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
