"""One module per factor; importing this package registers every check, in factor order."""

from . import (  # noqa: F401
    codebase,
    dependencies,
    config,
    backing_services,
    build,
    processes,
    port_binding,
    concurrency,
    disposability,
    parity,
    logs,
    admin,
)
