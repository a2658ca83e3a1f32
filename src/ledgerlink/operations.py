"""Operations shared by the CLI and the demo: on-demand sync and reconciliation."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from ledgerlink.engine.queue import Job
from ledgerlink.engine.worker import WorkerStats
from ledgerlink.runtime import Runtime


async def sync(
    runtime: Runtime,
    *,
    flow: str | None = None,
    record_id: str | None = None,
    on_outcome: Callable[[Job, str], None] | None = None,
    idle_horizon: float = 10.0,
    drain_seconds: float = 10.0,
) -> WorkerStats:
    """Enqueue a delta read (or one record) and work the queue until nothing is due soon.

    Connection incidents are probed meanwhile; when the queue is idle with a probe due within the idle
    horizon, that probe is awaited, and the work goes on if the connection answered. Jobs still paused
    at the end stay waiting for ``ledgerlink run``.
    """
    flows = runtime.flows_named(flow)
    if not flows:
        raise ValueError(
            f"no flow matches {flow!r}; flows: {', '.join(f.name for f in runtime.flows) or 'none'}"
        )
    if record_id and len(flows) > 1:
        # A store id means nothing without its store: order 123 in one shop is not order 123 in another.
        raise ValueError(
            f"--id {record_id} needs one store: add --flow with one of "
            f"{', '.join(sorted(f.source for f in flows))}"
        )
    for selected in flows:
        job = selected.order_job(record_id, reason="on demand") if record_id else selected.poll_job()
        runtime.queue.enqueue(job)
    worker = runtime.worker(on_outcome=on_outcome, role="sync")
    prober = runtime.prober()
    # SIGTERM or Ctrl-C stop the sync as they stop `ledgerlink run`: jobs in flight get a short while to
    # finish and the rest are handed back to the queue, never left running under a process that is gone.
    with stop_on_signals() as stop:
        while True:
            worked = asyncio.Event()
            probing = asyncio.create_task(prober.run(worked))
            try:
                await worker.run(
                    stop, until_idle=True, idle_horizon=idle_horizon, drain_seconds=drain_seconds
                )
            finally:
                worked.set()
                await probing
            if stop.is_set() or not await prober.until_recovered(within=idle_horizon, stop=stop):
                return worker.stats


@contextlib.contextmanager
def stop_on_signals() -> Iterator[asyncio.Event]:
    stop = asyncio.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    loop = asyncio.get_running_loop()
    signals = (signal.SIGTERM, signal.SIGINT)
    for sig in signals:
        loop.add_signal_handler(sig, stop.set)
    try:
        yield stop
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)


@dataclass
class StoreReconciliation:
    """One flow's orders as NetSuite holds them: found once each, same total, routed as mapped."""

    flow: str
    linked: int = 0
    found: int = 0
    equal_totals: int = 0
    duplicated: list[str] = field(default_factory=list)
    routing: dict[tuple[str, str], int] = field(default_factory=dict)  # (subsidiary, currency) -> count


@dataclass
class Reconciliation:
    """Does NetSuite hold, for every linked store order, one transaction with the store's total?"""

    linked: int = 0
    found: int = 0
    equal_totals: int = 0
    missing: list[str] = field(default_factory=list)
    mismatched: list[tuple[str, str, str]] = field(default_factory=list)  # external id, store, NetSuite
    stores: list[StoreReconciliation] = field(default_factory=list)

    @property
    def agrees(self) -> bool:
        duplicated = any(store.duplicated for store in self.stores)
        return not self.missing and not self.mismatched and not duplicated and self.found == self.linked


async def reconcile_orders(runtime: Runtime) -> Reconciliation:
    report = Reconciliation()
    for flow in runtime.flows:
        store = StoreReconciliation(flow.name)
        report.stores.append(store)
        links = runtime.links.all("order", source=flow.source)
        store.linked = len(links)
        held = await flow.erp.transactions([link.external_id for link in links])
        for link in links:
            facts = held.get(link.external_id)
            if facts is None:
                report.missing.append(link.external_id)
                continue
            store.found += 1
            if facts.copies > 1:
                store.duplicated.append(link.external_id)
            route = (facts.subsidiary, facts.currency)
            store.routing[route] = store.routing.get(route, 0) + 1
            store_total = Decimal(str(link.details.get("total", "0")))
            if store_total == facts.total:
                store.equal_totals += 1
            else:
                report.mismatched.append((link.external_id, str(store_total), str(facts.total)))
        report.linked += store.linked
        report.found += store.found
        report.equal_totals += store.equal_totals
    return report
