"""The console's HTTP side: webhook receivers, health and metrics.

A webhook is a hint, not the truth: it is verified over the raw body, recorded and turned into a
deduplicated job in one transaction, and only then answered 200. The job re-reads the order from the
store, so deliveries that arrive twice, late or out of order change nothing.

The receiver is open to the internet, so it bounds what a stranger can cost: a body larger than
``console.max_webhook_bytes`` is answered 413 without being read past the cap, and metric series exist
only for configured connections (a POST to any other name counts under ``connection="_unknown"``), so
random URLs cannot grow the metrics without end.
"""

from __future__ import annotations

import time

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, generate_latest

from ledgerlink.connectors.store import WebhookRejected, WebhookUnreadable
from ledgerlink.console.health import health_report
from ledgerlink.runtime import Runtime
from ledgerlink.store.tables import webhook_events

UNKNOWN_CONNECTION = "_unknown"  # the one metric label of every name that is not a store connection
OUTCOMES = ("accepted", "ping", "rejected", "unreadable", "too_large", "unknown_connection")


async def read_capped(request: Request, cap: int) -> bytes | None:
    """The raw body, or None as soon as it is known to exceed ``cap`` bytes: a declared Content-Length
    over the cap is refused before reading anything, and a body without one (or lying about it) is
    counted as it streams in and abandoned at the first byte past the cap."""
    declared = (request.headers.get("content-length") or "").strip()
    if declared.isdigit() and int(declared) > cap:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def create_console_app(runtime: Runtime) -> FastAPI:
    app = FastAPI(title="Ledgerlink", docs_url=None, redoc_url=None)
    registry = CollectorRegistry()
    deliveries = Counter(
        "ledgerlink_webhook_deliveries",
        "Webhook deliveries by outcome",
        ["connection", "outcome"],
        registry=registry,
    )
    for name in runtime.stores:  # every series there will ever be, from the start
        for outcome in OUTCOMES:
            deliveries.labels(name, outcome)
    deliveries.labels(UNKNOWN_CONNECTION, "unknown_connection")
    jobs_gauge = Gauge("ledgerlink_jobs", "Jobs by state", ["state"], registry=registry)
    loop_errors = Gauge(
        "ledgerlink_loop_errors",
        "Exceptions each engine loop of this process survived (logged with their tracebacks)",
        ["loop"],
        registry=registry,
    )
    incidents_gauge = Gauge(
        "ledgerlink_connection_incidents",
        "Open connection incidents (the connection's jobs are paused): 1 or 0 per connection",
        ["connection"],
        registry=registry,
    )
    max_bytes = runtime.config.console.max_webhook_bytes

    @app.post("/webhooks/{connection}")
    async def receive_webhook(connection: str, request: Request) -> Response:
        flows = runtime.flows_from(connection)
        store = runtime.stores.get(connection)
        if store is None or not flows:
            label = connection if store is not None else UNKNOWN_CONNECTION
            deliveries.labels(label, "unknown_connection").inc()
            return JSONResponse({"error": f"no flow reads from a connection named {connection!r}"}, 404)
        raw = await read_capped(request, max_bytes)
        if raw is None:
            deliveries.labels(connection, "too_large").inc()
            return JSONResponse(
                {"error": f"the body is larger than console.max_webhook_bytes ({max_bytes} bytes)"},
                413,
                headers={"Connection": "close"},  # the rest of the body is never read
            )
        try:
            delivery = store.parse_webhook(request.headers, raw)
        except WebhookRejected as rejected:
            deliveries.labels(connection, "rejected").inc()
            return JSONResponse({"error": f"rejected: {rejected}"}, 401)
        except WebhookUnreadable as unreadable:
            deliveries.labels(connection, "unreadable").inc()
            return JSONResponse({"error": f"signed but unreadable: {unreadable}"}, 400)
        if delivery is None:
            deliveries.labels(connection, "ping").inc()
            return JSONResponse({"ok": True, "ping": True})
        job_ids: list[int | None] = []
        with runtime.engine.begin() as db:
            if delivery.resource == "order":
                for flow in flows:
                    job_ids.append(
                        runtime.queue.enqueue(
                            flow.order_job(delivery.resource_id, reason="webhook"), connection=db
                        )
                    )
            db.execute(
                webhook_events.insert().values(
                    connection=connection,
                    topic=delivery.topic,
                    resource_id=delivery.resource_id,
                    delivery_id=delivery.delivery_id,
                    received_at=time.time(),
                    job_id=next((j for j in job_ids if j is not None), None),
                )
            )
        deliveries.labels(connection, "accepted").inc()
        return JSONResponse({"ok": True, "enqueued": [j for j in job_ids if j is not None]})

    @app.get("/healthz")
    async def health() -> Response:
        healthy, report = health_report(runtime)
        return JSONResponse(report, status_code=200 if healthy else 503)

    @app.get("/metrics")
    async def metrics() -> Response:
        for state, count in runtime.queue.counts().items():
            jobs_gauge.labels(state).set(count)
        survived: dict[str, int] = {}
        for loop, errors in runtime.liveness.errors().items():
            kind = loop.split(" ")[0]  # "worker <id>" counts as "worker": labels stay few
            survived[kind] = survived.get(kind, 0) + errors
        for kind, errors in survived.items():
            loop_errors.labels(kind).set(errors)
        down = {incident.connection for incident in runtime.incidents.open_incidents()}
        for connection in sorted(set(runtime.config.connections) | down):
            incidents_gauge.labels(connection).set(1 if connection in down else 0)
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return app
