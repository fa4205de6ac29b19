"""The error contract's parsing rules, shared by every endpoint that takes JSON."""

import pytest

from {{ cookiecutter.project_slug }}.errors import (
    MAX_DEPTH,
    ClientError,
    is_json_media_type,
    parse_json,
    storable_text,
)


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b"\xff",
        b"9" * 101,
        b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1),
        b"[" * 100_000 + b"]" * 100_000,
    ],
)
def test_malformed_bodies_are_400(body: bytes) -> None:
    with pytest.raises(ClientError) as refused:
        parse_json(body)

    assert refused.value.status == 400


def test_well_formed_bodies_parse() -> None:
    assert parse_json(b'{"name": "caf\\u00e9", "n": [1, 2.5]}') == {"name": "café", "n": [1, 2.5]}


@pytest.mark.parametrize("text", ["a\x00b", "\ud800"])
def test_text_postgresql_cannot_store_is_named(text: str) -> None:
    assert storable_text(text)


def test_ordinary_text_is_storable() -> None:
    assert storable_text("naïve ☕ \u202e") is None


@pytest.mark.parametrize(
    ("content_type", "accepted"),
    [
        ("application/json", True),
        ("application/json; charset=utf-8", True),
        ("application/problem+json", True),
        ("text/plain", False),
        ("application/x-www-form-urlencoded", False),
        (None, False),
    ],
)
def test_only_json_media_types_are_json(content_type: str | None, accepted: bool) -> None:
    assert is_json_media_type(content_type) is accepted
