"""The value rules every framework's settings apply the same way."""

import pytest

from {{ cookiecutter.project_slug }} import configuration


@pytest.mark.parametrize("value", [" 8080", "8080 ", "8_000", "+80", "\u0668\u0660", "0", "65536"])
def test_only_plain_decimal_integers_in_range(value: str) -> None:
    with pytest.raises(ValueError, match="is not an integer from 1 to 65535"):
        configuration.integer(value, minimum=1, maximum=65535)


def test_plain_integers_parse() -> None:
    assert configuration.integer("8080", minimum=1, maximum=65535) == 8080


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("postgresql://app:pa/ss@db:5432/app", "reserved characters"),
        ("postgresql://app:pa#ss@db:5432/app", "reserved characters"),
        ("postgresql://app:secret@db:70000/app", "port"),
        ("postgresql://app:secret@db:port/app", "port"),
        ("mysql://app:secret@db/app", "scheme"),
        ("postgresql://app:se cret@db/app", "percent-encoded"),
        ("postgresql://app:s%zzecret@db/app", "percent-encoded"),
        ("postgresql:///app", "no host"),
    ],
)
def test_malformed_urls_are_refused_without_their_secret(url: str, rule: str) -> None:
    with pytest.raises(ValueError, match=rule) as refused:
        configuration.url(url, schemes=("postgres", "postgresql"))

    assert "secret" not in str(refused.value)
    assert "pa/ss" not in str(refused.value)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://app:p%2Fss@db.internal:5432/app",
        "postgres://app@[::1]:5432/app",
        "postgresql://app@/app?host=/run/postgresql",
    ],
)
def test_well_formed_urls_pass(url: str) -> None:
    assert configuration.url(url, schemes=("postgres", "postgresql")) == url


def test_a_secret_needs_length_and_variety() -> None:
    with pytest.raises(ValueError, match="shorter than 50"):
        configuration.secret("x" * 49, minimum_length=50)
    with pytest.raises(ValueError, match="fewer than 5 different"):
        configuration.secret("ab" * 30, minimum_length=50)
    strong = "Kq7vN2xR9pL4mW8tZ3cF6hJ1bD5gS0aYeU2iO7kT4nV9rX3wQ8"
    assert configuration.secret(strong, minimum_length=50) == strong
