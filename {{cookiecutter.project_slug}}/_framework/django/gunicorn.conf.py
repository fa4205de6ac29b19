"""Gunicorn settings, derived from the service's one settings module.

Importing the settings here validates the environment in the master process, so a bad
configuration stops the server before it binds a port, with one message.
"""

from __future__ import annotations

from {{ cookiecutter.project_slug }} import settings
from {{ cookiecutter.project_slug }}.lifecycle import Arbiter, drain_before_stop

wsgi_app = "{{ cookiecutter.project_slug }}.wsgi:application"

# Factor VII: the platform picks the port.
bind = [f"0.0.0.0:{settings.PORT}"]
# Factor VIII: scale out with more processes (or more containers), set per deploy.
workers = settings.WEB_CONCURRENCY
worker_class = "gthread"
threads = settings.WORKER_THREADS

# Factor IX: on SIGTERM, first drain (readiness fails, requests are still served), then stop
# accepting, let in-flight requests finish and exit 0, all within GRACEFUL_TIMEOUT.
graceful_timeout = settings.GRACEFUL_TIMEOUT - settings.DRAIN_SECONDS
timeout = 30


def when_ready(server: Arbiter) -> None:
    drain_before_stop(server, settings.DRAIN_SECONDS)


# Factor XI: the app logs each request itself (with its request id); gunicorn's own lines go to
# stdout as JSON through the same configuration.
accesslog = None
logconfig_dict = settings.LOGGING

# Factor VI: write nothing to local disk at run time (gunicorn otherwise opens a control socket
# in the home directory).
control_socket_disable = True
