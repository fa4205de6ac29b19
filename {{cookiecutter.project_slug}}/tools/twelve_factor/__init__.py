"""Twelve-factor conformance checker: a scorecard of https://12factor.net for a project.

CHECKS-TABLE
"""

from .registry import FACTORS, REGISTRY, checks, checks_table
from .results import Finding, Scorecard
from .runner import check_project

__all__ = ["FACTORS", "REGISTRY", "Finding", "Scorecard", "check_project", "checks", "checks_table"]
