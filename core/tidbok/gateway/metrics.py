"""Prometheus metrics, written by hand in the text exposition format (version 0.0.4)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

#: Histogram bucket bounds in seconds.
BUCKETS: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

Labels = tuple[tuple[str, str], ...]


def _labels(values: dict[str, str]) -> Labels:
    return tuple(sorted(values.items()))


def _render_labels(labels: Labels, extra: tuple[tuple[str, str], ...] = ()) -> str:
    pairs = [*labels, *extra]
    if not pairs:
        return ""
    escaped = (
        f'{name}="{value.replace(chr(92), chr(92) * 2).replace(chr(10), "").replace(chr(34), "")}"'
        for name, value in pairs
    )
    return "{" + ",".join(escaped) + "}"


def _number(value: float) -> str:
    if value == int(value):
        return str(int(value))
    return repr(value)


@dataclass
class Counter:
    """A monotonically increasing count per label set."""

    name: str
    help: str
    values: dict[Labels, float] = field(default_factory=lambda: defaultdict(float))

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        """Add ``amount`` for the label set."""
        self.values[_labels(labels)] += amount

    def render(self) -> list[str]:
        """Exposition lines."""
        lines = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} counter"]
        lines += [
            f"{self.name}{_render_labels(labels)} {_number(value)}"
            for labels, value in sorted(self.values.items())
        ]
        return lines


@dataclass
class Gauge:
    """A value that goes up and down, per label set."""

    name: str
    help: str
    values: dict[Labels, float] = field(default_factory=dict)

    def set(self, value: float, **labels: str) -> None:
        """Set the value for the label set."""
        self.values[_labels(labels)] = value

    def render(self) -> list[str]:
        """Exposition lines."""
        lines = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} gauge"]
        lines += [
            f"{self.name}{_render_labels(labels)} {_number(value)}"
            for labels, value in sorted(self.values.items())
        ]
        return lines


@dataclass
class _Series:
    buckets: list[int] = field(default_factory=lambda: [0] * len(BUCKETS))
    count: int = 0
    total: float = 0.0


@dataclass
class Histogram:
    """Observed durations per label set, in cumulative buckets."""

    name: str
    help: str
    series: dict[Labels, _Series] = field(default_factory=dict)

    def observe(self, seconds: float, **labels: str) -> None:
        """Record one observation."""
        series = self.series.setdefault(_labels(labels), _Series())
        series.count += 1
        series.total += seconds
        for index, bound in enumerate(BUCKETS):
            if seconds <= bound:
                series.buckets[index] += 1

    def render(self) -> list[str]:
        """Exposition lines."""
        lines = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} histogram"]
        for labels, series in sorted(self.series.items()):
            for bound, count in zip(BUCKETS, series.buckets, strict=True):
                le = (("le", repr(bound)),)
                lines.append(f"{self.name}_bucket{_render_labels(labels, le)} {count}")
            inf = (("le", "+Inf"),)
            lines.append(f"{self.name}_bucket{_render_labels(labels, inf)} {series.count}")
            lines.append(f"{self.name}_sum{_render_labels(labels)} {series.total!r}")
            lines.append(f"{self.name}_count{_render_labels(labels)} {series.count}")
        return lines


class GatewayMetrics:
    """Every metric the gateway exposes on ``GET /metrics``."""

    def __init__(self) -> None:
        self.requests = Counter(
            "tidbok_http_requests_total", "HTTP requests answered, by method, route and status."
        )
        self.request_seconds = Histogram(
            "tidbok_http_request_duration_seconds", "HTTP request latency, by method and route."
        )
        self.operations = Counter(
            "tidbok_operations_total",
            "Booking-service operations, by scheduling system, operation and outcome code.",
        )
        self.operation_seconds = Histogram(
            "tidbok_operation_duration_seconds",
            "Booking-service operation latency, by scheduling system and operation.",
        )
        self.outbox_written = Counter(
            "tidbok_outbox_messages_written_total", "Inbox messages written to the outbox."
        )
        self.outbox_write_failures = Counter(
            "tidbok_outbox_write_failures_total", "Inbox messages that could not be written."
        )
        self.outbox_delivered = Counter(
            "tidbok_outbox_delivered_total", "Inbox messages delivered to the inbox service."
        )
        self.outbox_delivery_failures = Counter(
            "tidbok_outbox_delivery_failures_total", "Failed delivery attempts, by kind."
        )
        self.outbox_pending = Gauge("tidbok_outbox_pending", "Inbox messages waiting for delivery.")
        self.intent_write_failures = Counter(
            "tidbok_outbox_intent_write_failures_total",
            "Citizen writes refused because their intent could not be stored.",
        )
        self.intents_open = Gauge(
            "tidbok_outbox_intents_open", "Intents whose write is not settled yet."
        )
        self.reconciled = Counter(
            "tidbok_outbox_reconciled_total",
            "Open intents settled by reading the booking back, by outcome (delivered, dropped).",
        )
        self.breaker_state = Gauge(
            "tidbok_backend_breaker_state",
            "Circuit breaker per backend where the adapter exposes one: "
            "0 closed, 1 half-open, 2 open.",
        )

    def render(self) -> str:
        """The whole exposition text."""
        lines: list[str] = []
        for metric in (
            self.requests,
            self.request_seconds,
            self.operations,
            self.operation_seconds,
            self.outbox_written,
            self.outbox_write_failures,
            self.outbox_delivered,
            self.outbox_delivery_failures,
            self.outbox_pending,
            self.intent_write_failures,
            self.intents_open,
            self.reconciled,
            self.breaker_state,
        ):
            lines += metric.render()
        return "\n".join(lines) + "\n"
