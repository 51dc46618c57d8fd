"""Capturing the process's telemetry in tests: in-memory spans and metrics, and the console
exporters' output, behind global providers installed once per test process (OpenTelemetry
allows one global tracer/meter provider per process)."""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import (
    ConsoleMetricExporter,
    InMemoryMetricReader,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from shared.telemetry_console import metrics_lines, span_line


@dataclass
class TelemetryCapture:
    spans: InMemorySpanExporter
    reader: InMemoryMetricReader
    console: io.StringIO
    console_metrics: PeriodicExportingMetricReader

    def finished(self, session_id: str | None = None) -> list[ReadableSpan]:
        spans = list(self.spans.get_finished_spans())
        if session_id is None:
            return spans
        trace_ids = {
            s.context.trace_id
            for s in spans
            if s.context is not None and (s.attributes or {}).get("triage.session_id") == session_id
        }
        return [s for s in spans if s.context is not None and s.context.trace_id in trace_ids]

    def metric_points(self) -> dict[str, list[Any]]:
        """Every data point recorded so far (cumulative), by instrument name."""
        points: dict[str, list[Any]] = defaultdict(list)
        data = self.reader.get_metrics_data()
        if data is None:
            return points
        for resource_metrics in data.resource_metrics:
            for scope_metrics in resource_metrics.scope_metrics:
                for metric in scope_metrics.metrics:
                    points[metric.name].extend(metric.data.data_points)
        return points

    def total(self, name: str) -> float:
        """Sum of a counter's values, or the count of a histogram's recordings."""
        total = 0.0
        for point in self.metric_points().get(name, []):
            total += point.count if hasattr(point, "bucket_counts") else point.value
        return total


_capture: TelemetryCapture | None = None


def telemetry_capture() -> TelemetryCapture:
    """The test process's telemetry capture (installed on first use)."""
    global _capture
    if _capture is None:
        console = io.StringIO()
        spans = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(spans))
        provider.add_span_processor(
            SimpleSpanProcessor(ConsoleSpanExporter(out=console, formatter=span_line))
        )
        trace.set_tracer_provider(provider)
        reader = InMemoryMetricReader()
        console_metrics = PeriodicExportingMetricReader(
            ConsoleMetricExporter(out=console, formatter=metrics_lines),
            export_interval_millis=3_600_000,  # exported on force_flush only
        )
        metrics.set_meter_provider(MeterProvider(metric_readers=[reader, console_metrics]))
        _capture = TelemetryCapture(spans, reader, console, console_metrics)
    return _capture
