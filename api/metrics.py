"""Prometheus metrics: HTTP status counts, command latency, and where each view stands.

Each app has its own registry (tests build many apps in one process; the global registry would
refuse the second). View positions are read from the store when Prometheus scrapes, so the
figures are the same whether the views run in this process or in `xinfang project`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from projections.engine.positions import PositionBoard

log = logging.getLogger("xinfang.metrics")

COMMAND_TAG = "case commands"


class ViewCollector(Collector):
    """View position, lag and stop state, read at scrape time; `xinfang_store_up` says if it could."""

    def __init__(self, board: PositionBoard) -> None:
        self.board = board

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("xinfang_store_up", "1 if the store answered this scrape")
        try:
            positions = self.board.positions()
        except Exception as exc:  # a scrape during an outage reports the outage, not a 500
            log.warning("metrics: store unavailable: %s", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        lag = GaugeMetricFamily("xinfang_view_lag_events", "ledger events not yet applied", labels=["view"])
        position = GaugeMetricFamily("xinfang_view_position", "last ledger position applied", labels=["view"])
        stopped = GaugeMetricFamily(
            "xinfang_view_stopped", "1 if a poison event stopped the view", labels=["view"]
        )
        for name, status in sorted(positions.items()):
            lag.add_metric([name], status.lag)
            position.add_metric([name], status.position)
            stopped.add_metric([name], 1 if status.stopped else 0)
        yield from (lag, position, stopped)


class Metrics:
    def __init__(self, board: PositionBoard) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "xinfang_http_requests", "HTTP responses by method, route and status",
            ["method", "route", "status"], registry=self.registry,
        )  # fmt: skip
        self.command_seconds = Histogram(
            "xinfang_command_seconds", "time to answer a case command, by command",
            ["command", "outcome"], registry=self.registry,
        )  # fmt: skip
        self.registry.register(ViewCollector(board))

    def observe(self, scope: Scope, status: int, seconds: float) -> None:
        route: Any = scope.get("route")
        template = getattr(route, "path", None) or "unmatched"  # unmatched paths must not make labels
        self.requests.labels(scope.get("method", ""), template, str(status)).inc()
        if route is not None and COMMAND_TAG in (getattr(route, "tags", None) or ()):
            command = "register" if template.rstrip("/").endswith("/cases") else template.rsplit("/", 1)[-1]
            self.command_seconds.labels(command, f"{status // 100}xx").observe(seconds)


class MetricsMiddleware:
    """Counts every HTTP response, including those made by the body limit and by crashes (500)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            self.metrics.observe(scope, status, time.perf_counter() - started)
