"""Wiring: from a validated configuration to a database, a queue, connectors and flows."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import httpx

from ledgerlink.config import STORE_TYPES, Config, NetSuiteConnection
from ledgerlink.connectors.factory import build_store
from ledgerlink.connectors.netsuite.client import NetSuiteClient
from ledgerlink.connectors.netsuite.erp import NetSuiteErp
from ledgerlink.connectors.store import StoreConnector
from ledgerlink.engine.governor import SharedGovernor
from ledgerlink.engine.incidents import IncidentProber, Incidents
from ledgerlink.engine.links import Links
from ledgerlink.engine.liveness import Liveness
from ledgerlink.engine.queue import Completion, Job, JobSpec, Queue, worker_identity
from ledgerlink.engine.scheduler import Schedule
from ledgerlink.engine.worker import Handler, Worker
from ledgerlink.flows.orders import OrdersFlow
from ledgerlink.store.db import open_database

WEBHOOK_CHECK_SECONDS = 900.0
PURGE = "engine.purge"
PURGE_SECONDS = 86400.0


@dataclass
class Runtime:
    config: Config
    transports: dict[str, httpx.AsyncBaseTransport] = field(default_factory=dict)
    role: str = "all"

    def __post_init__(self) -> None:
        engine_config = self.config.engine
        # One identity for this process: its worker row, its jobs' leases and its NetSuite slots carry it,
        # so that when it stops heartbeating all three are taken back together.
        self.process_id = worker_identity(self.role)
        self.liveness = Liveness()
        self.engine = open_database(self.config.database_url)
        self.queue = Queue(
            self.engine,
            max_attempts=engine_config.max_attempts,
            backoff_base=engine_config.backoff_base_seconds,
            backoff_cap=engine_config.backoff_cap_seconds,
        )
        self.links = Links(self.engine)
        # A connection that fails as a whole pauses its jobs on one incident instead of failing each.
        self.incidents = Incidents(
            self.engine,
            probe_base=engine_config.incident_probe_seconds,
            probe_cap=engine_config.incident_probe_cap_seconds,
        )
        self.stores: dict[str, StoreConnector] = {}
        self.erps: dict[str, NetSuiteErp] = {}
        for name, connection in self.config.connections.items():
            transport = self.transports.get(name)
            if isinstance(connection, NetSuiteConnection):
                # NetSuite's concurrency limit is per account: every process shares one budget.
                governor = SharedGovernor(
                    self.engine, name, ceiling=connection.concurrency, holder=self.process_id
                )
                self.erps[name] = NetSuiteErp(
                    NetSuiteClient(
                        connection, transport=transport, governor=governor, gate=self.incidents.gate(name)
                    )
                )
            elif isinstance(connection, STORE_TYPES):
                self.stores[name] = build_store(
                    name, connection, transport=transport, gate=self.incidents.gate(name)
                )
        self.flows = [
            OrdersFlow(
                config=flow,
                store=self.stores[flow.from_],
                erp=self.erps[flow.to],
                queue=self.queue,
                links=self.links,
                overlap_seconds=engine_config.cursor_overlap_seconds,
                webhook_url=f"{self.config.console.webhook_base}/webhooks/{flow.from_}"
                if flow.webhooks and self.stores[flow.from_].supports_webhooks
                else None,
            )
            for flow in self.config.flows
        ]

    def handlers(self) -> dict[str, Handler]:
        handlers: dict[str, Handler] = {PURGE: self._purge}
        for flow in self.flows:
            handlers.update(flow.handlers())
        return handlers

    def flows_named(self, name: str | None) -> list[OrdersFlow]:
        if not name:
            return list(self.flows)
        return [f for f in self.flows if name in (f.name, f.config.kind, f.source)]

    def flows_from(self, connection: str) -> list[OrdersFlow]:
        return [f for f in self.flows if f.source == connection]

    async def _purge(self, job: Job) -> Completion:
        removed = self.queue.purge(older_than_days=self.config.engine.retention_days)
        return Completion(result={"removed": removed, "retention_days": self.config.engine.retention_days})

    def purge_job(self) -> JobSpec:
        return JobSpec(
            kind=PURGE,
            flow="engine",
            record_key="purge",
            dedupe_key=PURGE,
            lock_key=PURGE,
            lane="maintenance",
            priority=1000,
            max_attempts=3,
        )

    def schedules(self) -> list[Schedule]:
        schedules = [Schedule(PURGE, PURGE_SECONDS, self.purge_job)]
        for flow in self.flows:
            interval = flow.config.interval_seconds
            if interval:
                schedules.append(Schedule(f"poll:{flow.name}", interval, flow.poll_job))
            if flow.webhook_url:
                schedules.append(Schedule(f"webhooks:{flow.name}", WEBHOOK_CHECK_SECONDS, flow.webhooks_job))
        return schedules

    def prober(self) -> IncidentProber:
        """Probes the connections with an open incident through their own connectors."""
        probes = {name: erp.probe for name, erp in self.erps.items()}
        probes |= {name: store.probe for name, store in self.stores.items()}
        return IncidentProber(self.incidents, self.queue, probes, liveness=self.liveness)

    def worker(self, **kwargs: object) -> Worker:
        engine = self.config.engine
        kwargs.setdefault("worker_id", self.process_id)
        return Worker(
            self.queue,
            self.handlers(),
            concurrency=engine.workers,
            poll_interval=engine.poll_interval_seconds,
            heartbeat_seconds=engine.heartbeat_seconds,
            lease_seconds=engine.lease_seconds,
            liveness=self.liveness,
            **kwargs,  # type: ignore[arg-type]
        )

    closed: bool = False

    async def aclose(self) -> None:
        """Close the HTTP clients on the event loop that used them, then the database."""
        if self.closed:
            return
        self.closed = True
        for store in self.stores.values():
            await store.aclose()
        for erp in self.erps.values():
            await erp.aclose()
        self.engine.dispose()


def wall_clock() -> float:
    return time.time()
