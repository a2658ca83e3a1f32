"""The console's HTTP side: webhook receivers, health and metrics.

A webhook is a hint, not the truth: it is verified over the raw body, recorded and turned into a
deduplicated job in one transaction, and only then answered 200. The job re-reads the order from the
store, so deliveries that arrive twice, late or out of order change nothing.
"""

from __future__ import annotations

import time

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, generate_latest

from ledgerlink.connectors.store import WebhookRejected
from ledgerlink.console.health import health_report
from ledgerlink.runtime import Runtime
from ledgerlink.store.tables import webhook_events


def create_console_app(runtime: Runtime) -> FastAPI:
    app = FastAPI(title="Ledgerlink", docs_url=None, redoc_url=None)
    registry = CollectorRegistry()
    deliveries = Counter(
        "ledgerlink_webhook_deliveries",
        "Webhook deliveries by outcome",
        ["connection", "outcome"],
        registry=registry,
    )
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

    @app.post("/webhooks/{connection}")
    async def receive_webhook(connection: str, request: Request) -> Response:
        flows = runtime.flows_from(connection)
        store = runtime.stores.get(connection)
        if store is None or not flows:
            deliveries.labels(connection, "unknown_connection").inc()
            return JSONResponse({"error": f"no flow reads from a connection named {connection!r}"}, 404)
        raw = await request.body()
        try:
            delivery = store.parse_webhook(request.headers, raw)
        except WebhookRejected as rejected:
            deliveries.labels(connection, "rejected").inc()
            return JSONResponse({"error": f"rejected: {rejected}"}, 401)
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
