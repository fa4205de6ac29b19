"""One module per factor; importing this package registers every check, in factor order."""

from . import (  # noqa: F401
    admin,
    backing_services,
    build,
    codebase,
    concurrency,
    config,
    dependencies,
    disposability,
    logs,
    parity,
    port_binding,
    processes,
)
