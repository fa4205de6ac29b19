"""Traces and metrics over OTLP, switched and configured only by the standard ``OTEL_*`` variables.

Off unless ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set: then nothing of OpenTelemetry is imported, so
start-up and requests cost what they cost without it. On, every other setting is the SDK's own
variable (``OTEL_SERVICE_NAME``, ``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_TRACES_SAMPLER``,
``OTEL_EXPORTER_OTLP_HEADERS``, ...), so any OpenTelemetry backend is a change of environment.

Gunicorn forks its workers from one master, and an exporter's background thread does not survive
a fork: each worker sets up its own providers after the fork (``post_fork`` in gunicorn.conf.py)
and flushes them with ``shutdown()`` as it stops.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Callable, Mapping, Sequence

from {{ cookiecutter.project_slug }} import logs

logger = logging.getLogger(__name__)

# Named here so a deploy that sets no name still reports as this service, not "unknown_service".
DEFAULT_SERVICE_NAME = "{{ cookiecutter.project_slug }}"

# Providers of this process, flushed and closed by shutdown().
_shutdowns: list[Callable[[], object]] = []


def enabled(environ: Mapping[str, str] = os.environ) -> bool:
    """True when traces and metrics are to be exported from this process."""
    endpoint = environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip()
    disabled = environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true"
    return bool(endpoint) and not disabled


def start(instrumentors: Sequence[str]) -> bool:
    """Set up this process's tracer and meter providers and instrument the given libraries.

    ``instrumentors`` are ``"module:Class"`` names of OpenTelemetry instrumentations, imported
    only when telemetry is on. Returns whether it is.
    """
    if not enabled():
        return False
    from opentelemetry import metrics, trace
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    # Reads OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, and gives this worker its own
    # service.instance.id: two workers' cumulative request counters are two series, not one
    # that keeps jumping between them.
    resource = Resource.create()
    if str(resource.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
        resource = resource.merge(Resource({SERVICE_NAME: DEFAULT_SERVICE_NAME}))
    # The sampler comes from OTEL_TRACES_SAMPLER, the exporters' endpoints, headers and
    # timeouts from OTEL_EXPORTER_OTLP_*.
    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(tracer_provider)
    meter_provider = MeterProvider(
        resource=resource, metric_readers=[PeriodicExportingMetricReader(OTLPMetricExporter())]
    )
    metrics.set_meter_provider(meter_provider)
    _shutdowns.extend([tracer_provider.shutdown, meter_provider.shutdown])

    # The stable HTTP conventions: request duration (and so count) by route, method and status,
    # where the older default has no route. The instrumentations read this variable, and an
    # operator's own choice stays.
    os.environ.setdefault("OTEL_SEMCONV_STABILITY_OPT_IN", "http")
    for name in instrumentors:
        module, _, attribute = name.partition(":")
        getattr(importlib.import_module(module), attribute)().instrument()
    logs.trace_ids = current_trace_ids
    logger.info("telemetry on", extra={"instrumented": list(instrumentors)})
    return True


def current_trace_ids() -> tuple[str, str] | None:
    """The current trace and span ids, in the hex form trace backends show and search."""
    from opentelemetry import trace

    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return trace.format_trace_id(context.trace_id), trace.format_span_id(context.span_id)


def shutdown() -> None:
    """Export what is still buffered and stop the exporters: the worker is about to exit."""
    while _shutdowns:
        _shutdowns.pop()()
