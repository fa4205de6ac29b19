"""The JSON log format, the same for every framework (factor XI)."""

import json
import logging

from {{ cookiecutter.project_slug }}.logs import JsonFormatter, RequestIdFilter, request_id


def test_json_lines_carry_the_request_id_and_extras() -> None:
    record = logging.makeLogRecord(
        {"name": "demo", "levelname": "INFO", "msg": "hello %s", "args": ("you",)}
    )
    record.status = 200
    token = request_id.set("abc123")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id.reset(token)

    event = json.loads(JsonFormatter().format(record))

    assert event["message"] == "hello you"
    assert event["level"] == "INFO"
    assert event["request_id"] == "abc123"
    assert event["status"] == 200
    assert event["timestamp"].endswith("+00:00")
