"""IV. Backing services: attached resources, located by URLs in the environment."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from ..parsers import constant_str, string_constants, walk
from ..project import Project
from ..registry import check
from ..results import Finding

SERVICE_URL = re.compile(
    r"^(?:postgres(?:ql)?|mysql|mariadb|redis|rediss|amqps?|mongodb(?:\+srv)?|memcached?|kafka|"
    r"nats|elasticsearch|opensearch)(?:\+\w+)?://[^/\s]*[A-Za-z0-9]"
)
HINT = re.compile(
    r"(?:postgres|mysql|mariadb|redis|amqp|mongodb|memcache|kafka|nats|search)[\w+]*://|host(?:name)?\s*="
)
# A default for local development: the service on this machine, when the variable is unset.
LOCAL_URL = re.compile(r"^[a-z+]+://(?:[^@/]*@)?(?:localhost|127\.0\.0\.1|\[::1\])(?:[:/]|$)")
# Addresses that mean "this machine" in a default for local development, or a placeholder.
LOCAL_HOSTS = re.compile(r"^(?:localhost|127\.0\.0\.1|0\.0\.0\.0|::1?|\[::1?\])$")


@check
def attached(project: Project) -> Iterator[Finding]:
    """No backing-service address in the code.

    A database, cache or broker is an attached resource: the code reads its URL from the
    environment, so that swapping it needs no code change.
    """
    for path in project.application_python():
        text = project.text(path) or ""
        if not HINT.search(text):
            continue
        tree = project.tree(path)
        if tree is None:
            continue
        for value, line in string_constants(tree):
            if SERVICE_URL.match(value) and not LOCAL_URL.match(value):
                service = value.split(":", 1)[0]
                address = re.sub(r"//[^@/]*@", "//", value)  # never print a password
                yield Finding(
                    f"a {service} address in the code ({address}): attach backing services "
                    "through a URL in the environment",
                    path,
                    line,
                )
        for node in walk(tree):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    host = constant_str(keyword.value)
                    if keyword.arg in {"host", "hostname"} and host:
                        if LOCAL_HOSTS.match(host) or "{" in host:
                            continue
                        yield Finding(
                            f"connects to the fixed host {host!r}: attach backing services "
                            "through a URL in the environment",
                            path,
                            node.lineno,
                        )
