"""One module per factor; importing this package registers every check (the registry orders
them by factor, then as each module declares them)."""

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
