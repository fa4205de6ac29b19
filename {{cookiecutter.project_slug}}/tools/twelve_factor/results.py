"""Findings, per-factor results and the scorecard, with its three renderings.

A finding is either a *violation* (the project breaks the factor) or a *missing fact* (a
convention the check reads is simply absent, e.g. no process definition anywhere, so the factor
cannot be judged). A factor with a violation fails; one with only missing facts is ``unknown``,
which fails too in ``strict`` mode (a project of this template's shape must have every fact). A
waived check's findings are shown with the reason and fail nothing.

The JSON rendering is stable (``"schema": 1``); fields are only ever added::

    {"schema": 1, "project": str, "framework": str, "strict": bool, "ok": bool,
     "passed": int, "total": 12,
     "factors": [{"factor": "II", "name": "Dependencies", "status":
                  "pass" | "fail" | "unknown" | "warn",
                  "findings": [{"check": "dependencies.declared", "kind": "violation" | "missing",
                                "path": str | null, "line": int | null, "message": str,
                                "waived": bool, "reason": str | null}]}]}
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

from .registry import Factor

JSON_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Finding:
    """One piece of evidence; the registry fills in ``check`` when the check yields it."""

    message: str
    path: str | None = None
    line: int | None = None
    missing: bool = False  # a missing fact, not a violation
    check: str = ""
    reason: str | None = None  # why the check is waived, when it is

    def evidence(self) -> str:
        if self.path is None:
            return self.message
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"

    @property
    def kind(self) -> str:
        return "missing" if self.missing else "violation"

    def with_check(self, check: str, reason: str | None) -> Finding:
        return dataclasses.replace(self, check=check, reason=reason)


def missing(message: str, path: str | None = None) -> Finding:
    """A convention the check reads is absent: a fact the factor cannot be judged without."""
    return Finding(message, path, None, missing=True)


@dataclass
class FactorResult:
    factor: Factor
    strict: bool = False
    findings: list[Finding] = field(default_factory=list)

    @property
    def number(self) -> str:
        return self.factor.number

    @property
    def name(self) -> str:
        return self.factor.name

    @property
    def summary(self) -> str:
        return self.factor.summary

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.reason is None and (not f.missing or self.strict)]

    @property
    def missing(self) -> list[Finding]:
        return [f for f in self.findings if f.reason is None and f.missing and not self.strict]

    @property
    def warnings(self) -> list[Finding]:
        """Findings of waived checks."""
        return [f for f in self.findings if f.reason is not None]

    @property
    def status(self) -> str:
        if self.failures:
            return "fail"
        if self.missing:
            return "unknown"
        return "warn" if self.warnings else "pass"


@dataclass
class Scorecard:
    project: str
    framework: str
    factors: list[FactorResult]
    strict: bool = False

    @property
    def passed(self) -> int:
        return sum(1 for factor in self.factors if factor.status in {"pass", "warn"})

    @property
    def ok(self) -> bool:
        return not any(factor.status == "fail" for factor in self.factors)

    def failures(self) -> list[Finding]:
        return [finding for factor in self.factors for finding in factor.failures]

    def warnings(self) -> list[Finding]:
        return [finding for factor in self.factors for finding in factor.warnings]

    def missing(self) -> list[Finding]:
        return [finding for factor in self.factors for finding in factor.missing]

    def findings(self) -> list[Finding]:
        return [finding for factor in self.factors for finding in factor.findings]

    def headline(self) -> str:
        return (
            f"Twelve-factor scorecard for {self.project} ({self.framework}): "
            f"{self.passed}/{len(self.factors)} factors"
        )

    def render(self) -> str:
        lines = [self.headline()]
        for factor in self.factors:
            label = f"{factor.number}. {factor.name}"
            lines.append(f"  {factor.status.upper():7}  {label:24} {factor.summary}")
            for finding in factor.failures:
                lines.append(f"          {finding.evidence()} [{finding.check}]")
            for finding in factor.missing:
                lines.append(f"          missing: {finding.evidence()} [{finding.check}]")
            for finding in factor.warnings:
                lines.append(
                    f"          waived ({finding.reason}): {finding.evidence()} [{finding.check}]"
                )
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema": JSON_SCHEMA_VERSION,
            "project": self.project,
            "framework": self.framework,
            "strict": self.strict,
            "ok": self.ok,
            "passed": self.passed,
            "total": len(self.factors),
            "factors": [
                {
                    "factor": factor.number,
                    "name": factor.name,
                    "status": factor.status,
                    "findings": [
                        {
                            "check": item.check,
                            "kind": item.kind,
                            "path": item.path,
                            "line": item.line,
                            "message": item.message,
                            "waived": item.reason is not None,
                            "reason": item.reason,
                        }
                        for item in factor.findings
                    ],
                }
                for factor in self.factors
            ],
        }

    def render_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2)

    def render_github(self) -> str:
        """Workflow commands that GitHub Actions shows as annotations on the files."""
        lines = []
        for factor in self.factors:
            failing = {id(item) for item in factor.failures}
            for item in factor.findings:
                level = "error" if id(item) in failing else "warning"
                properties = [f"title={_property(f'{factor.number}. {factor.name}: {item.check}')}"]
                if item.path:
                    properties.insert(0, f"file={_property(item.path)}")
                    if item.line:
                        properties.insert(1, f"line={item.line}")
                message = item.message
                if item.reason is not None:
                    message = f"waived ({item.reason}): {message}"
                elif item.missing:
                    message = f"missing: {message}"
                lines.append(f"::{level} {','.join(properties)}::{_data(message)}")
        lines.append(f"::notice title=twelve-factor::{_data(self.headline())}")
        return "\n".join(lines)


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
