"""One-line console renderings of spans and metrics, for a human watching the local stack.

The SDK's console exporters print each span and each metrics snapshot as pretty JSON dozens of
lines long; these print one line per span (trace id, span id, parent, name, duration and the
span's own attributes) and one line per metric point, so a session's trace reads top to bottom.
"""

from __future__ import annotations

from opentelemetry.sdk.metrics.export import (
    HistogramDataPoint,
    MetricsData,
    NumberDataPoint,
)
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.util.types import Attributes


def _attrs(attributes: Attributes) -> str:
    if not attributes:
        return ""
    return " " + " ".join(f"{key}={value!s}" for key, value in sorted(attributes.items()))


def span_line(span: ReadableSpan) -> str:
    context = span.get_span_context()
    trace_id = f"{context.trace_id:032x}" if context else "-"
    span_id = f"{context.span_id:016x}" if context else "-"
    parent = f"{span.parent.span_id:016x}" if span.parent is not None else "root"
    took_ms = (
        (span.end_time - span.start_time) / 1e6
        if span.end_time is not None and span.start_time is not None
        else 0.0
    )
    status = span.status.status_code.name.lower()
    return (
        f"otel span trace={trace_id} span={span_id} parent={parent} {span.name} "
        f"{took_ms:.1f}ms {status}{_attrs(span.attributes)}\n"
    )


def metrics_lines(data: MetricsData) -> str:
    lines: list[str] = []
    for resource_metrics in data.resource_metrics:
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                for point in metric.data.data_points:
                    if isinstance(point, HistogramDataPoint):
                        mean = point.sum / point.count if point.count else 0.0
                        value = (
                            f"count={point.count} mean={mean:.1f} min={point.min:.1f} "
                            f"max={point.max:.1f}"
                        )
                    elif isinstance(point, NumberDataPoint):
                        value = f"value={point.value}"
                    else:
                        continue
                    lines.append(f"otel metric {metric.name} {value}{_attrs(point.attributes)}\n")
    return "".join(lines)
