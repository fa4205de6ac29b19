"""Test set-up: example.env's values."""

from __future__ import annotations

import os

import django
import pytest

from tools.devenv import PROJECT_DIR, read_env_file


def pytest_configure(config: pytest.Config) -> None:
    for name, value in read_env_file(PROJECT_DIR / "example.env").items():
        os.environ.setdefault(name, value)
    os.environ["DJANGO_SETTINGS_MODULE"] = "{{ cookiecutter.project_slug }}.settings"
    django.setup()
