"""The governor: one concurrency budget per connection, shared by every worker in every process.

NetSuite limits concurrent requests per account, not per process, so the budget lives in the database:
``governor_slots`` holds one row per slot up to the configured ceiling, and a request runs only while it
holds an unexpired lease on a slot numbered below the current limit. A process that dies mid-request
loses its slots when the sweep notices it stopped heartbeating (``Queue.sweep``), or at the latest
when their leases expire.

The limit adapts (AIMD): each successful answer grows it by ``1/limit`` (about one slot per round of
requests) up to the ceiling; a rejection for concurrency or rate (429, CONCURRENCY_LIMIT_EXCEEDED)
halves it, at most once per ``decrease_interval`` so that one burst of rejections counts once, and
blocks new requests until the remote's Retry-After has passed.

Part of the budget (``urgent_reserve``, at least one slot) is kept for urgent lanes: a request made
for a bulk lane (catalog, images, inventory) may only take the slots below the limit less that reserve.

Within a process, requests wait in line and only the first one polls the database. A finishing
request hands its slot straight to the next one in line, without a round trip, for up to
``handover_seconds`` after the slot was taken from the database and only while the limit it last
read still covers that slot; then the slot goes back to the database, so a lowered limit and the
other processes are heard within that time. Polling and hand-over together keep the database work
per request near zero when requests queue, which is when the budget is full.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Table, and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ledgerlink.engine.lanes import current_lane, is_bulk
from ledgerlink.store.tables import governor_slots, governor_state

RATE_LIMITED = "rate_limited"


@dataclass(frozen=True)
class GovernorState:
    connection: str
    ceiling: int
    limit: float
    blocked_until: float
    rate_limited: int
    in_flight: int


@dataclass
class _Lease:
    slot: int
    holder: str
    taken_at: float  # when the slot was taken from the database


@dataclass
class _Waiter:
    future: asyncio.Future[_Lease]
    bulk: bool


class SharedGovernor:
    def __init__(
        self,
        engine: Engine,
        connection: str,
        *,
        ceiling: int,
        lease_seconds: float = 120.0,
        poll_seconds: float = 0.02,
        handover_seconds: float = 1.0,
        decrease_interval: float = 1.0,
        urgent_reserve: float = 0.2,
        clock: Callable[[], float] = time.time,
        holder: str | None = None,
    ) -> None:
        if ceiling < 1:
            raise ValueError("a governor needs a ceiling of at least 1")
        self.engine = engine
        self.connection = connection
        self.ceiling = ceiling
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self.handover_seconds = handover_seconds
        self.decrease_interval = decrease_interval
        self.urgent_reserve = urgent_reserve
        self.clock = clock
        # Slots are held as ``<holder>:<request>``; with the process's worker id as the holder, the sweep
        # frees a dead process's slots as soon as it stops heartbeating, not when their leases run out.
        self.holder_prefix = holder or uuid.uuid4().hex[:12]
        self._line: list[_Waiter] = []
        self._freed = asyncio.Event()
        self._rng = random.Random()
        self._limit = float(ceiling)  # as last read from (or written to) the database
        self._blocked_until = 0.0
        self._ensure_rows()

    def _insert(self, table: Table) -> Any:
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(table)

    def _ensure_rows(self) -> None:
        now = self.clock()
        with self.engine.begin() as db:
            db.execute(
                self._insert(governor_state)
                .values(
                    connection=self.connection,
                    ceiling=self.ceiling,
                    limit_value=float(self.ceiling),
                    updated_at=now,
                )
                .on_conflict_do_nothing()
            )
            # A changed ceiling in the configuration wins; the learned limit never exceeds it.
            db.execute(
                update(governor_state)
                .where(governor_state.c.connection == self.connection)
                .values(
                    ceiling=self.ceiling,
                    limit_value=func.min(governor_state.c.limit_value, float(self.ceiling))
                    if self.engine.dialect.name == "sqlite"
                    else func.least(governor_state.c.limit_value, float(self.ceiling)),
                )
            )
            for slot in range(self.ceiling):
                db.execute(
                    self._insert(governor_slots)
                    .values(connection=self.connection, slot=slot)
                    .on_conflict_do_nothing()
                )

    # -- the Governor protocol the connectors use ---------------------------------------------------

    def slot(self) -> AbstractAsyncContextManager[None]:
        return self._slot()

    @asynccontextmanager
    async def _slot(self) -> AsyncIterator[None]:
        lease = await self._acquire()
        try:
            yield
        finally:
            self._hand_over_or_release(lease)

    async def _acquire(self) -> _Lease:
        """Wait in line; the first in line polls the database, the others wait for a hand-over."""
        waiter = _Waiter(asyncio.get_running_loop().create_future(), is_bulk(current_lane.get()))
        self._line.append(waiter)
        try:
            while not waiter.future.done():
                if self._line[0] is waiter:
                    holder = f"{self.holder_prefix}:{uuid.uuid4().hex[:8]}"
                    slot = self._try_acquire(holder)
                    if slot is not None:
                        return _Lease(slot, holder, self.clock())
                    self._freed.clear()
                    pause = self.poll_seconds * (0.5 + self._rng.random())
                    freed: asyncio.Future[Any] = asyncio.ensure_future(self._freed.wait())
                    wake: set[asyncio.Future[Any]] = {waiter.future, freed}
                    try:
                        await asyncio.wait(wake, timeout=pause, return_when=asyncio.FIRST_COMPLETED)
                    finally:
                        freed.cancel()
                else:
                    await asyncio.wait([waiter.future], timeout=self.poll_seconds)
            return waiter.future.result()
        finally:
            self._line.remove(waiter)
            if not waiter.future.done():
                waiter.future.cancel()

    def _hand_over_or_release(self, lease: _Lease) -> None:
        now = self.clock()
        if now - lease.taken_at < self.handover_seconds and now >= self._blocked_until:
            for waiter in self._line:
                if not waiter.future.done() and lease.slot < self._allowed(self._limit, waiter.bulk):
                    waiter.future.set_result(lease)
                    return
        self._release(lease.slot, lease.holder)
        self._freed.set()

    def _allowed(self, limit_value: float, bulk: bool) -> int:
        """How many slots a request may use: the limit, less the urgent reserve for bulk lanes."""
        limit = max(1, math.floor(limit_value + 1e-9))
        if bulk and limit > 1:
            limit -= max(1, round(limit * self.urgent_reserve))
        return limit

    def report(self, outcome: object, retry_after: float | None = None) -> None:
        now = self.clock()
        condition = governor_state.c.connection == self.connection
        if str(outcome) != RATE_LIMITED and self._limit >= self.ceiling:
            return  # already at the ceiling: nothing to grow, no round trip
        if str(outcome) == RATE_LIMITED:
            self._limit = max(1.0, self._limit / 2)
            if retry_after:
                self._blocked_until = max(self._blocked_until, now + retry_after)
        with self.engine.begin() as db:
            if str(outcome) == RATE_LIMITED:
                db.execute(
                    update(governor_state)
                    .where(condition)
                    .values(rate_limited=governor_state.c.rate_limited + 1, updated_at=now)
                )
                db.execute(
                    update(governor_state)
                    .where(condition, governor_state.c.last_decrease_at <= now - self.decrease_interval)
                    .values(
                        limit_value=_greatest(self.engine, 1.0, governor_state.c.limit_value / 2),
                        last_decrease_at=now,
                    )
                )
                if retry_after:
                    db.execute(
                        update(governor_state)
                        .where(condition, governor_state.c.blocked_until < now + retry_after)
                        .values(blocked_until=now + retry_after)
                    )
            else:
                db.execute(
                    update(governor_state)
                    .where(condition, governor_state.c.limit_value < governor_state.c.ceiling)
                    .values(
                        limit_value=_least(
                            self.engine,
                            governor_state.c.ceiling,
                            governor_state.c.limit_value + 1.0 / governor_state.c.limit_value,
                        ),
                        updated_at=now,
                    )
                )

    # -- slots --------------------------------------------------------------------------------------

    def _try_acquire(self, holder: str) -> int | None:
        now = self.clock()
        with self.engine.begin() as db:
            state = db.execute(
                select(governor_state.c.limit_value, governor_state.c.blocked_until).where(
                    governor_state.c.connection == self.connection
                )
            ).one()
            self._limit, self._blocked_until = float(state.limit_value), float(state.blocked_until)
            if now < state.blocked_until:
                return None
            limit = self._allowed(state.limit_value, is_bulk(current_lane.get()))  # bulk leaves room
            free = (
                select(governor_slots.c.slot)
                .where(
                    governor_slots.c.connection == self.connection,
                    governor_slots.c.slot < limit,
                    or_(governor_slots.c.holder.is_(None), governor_slots.c.lease_until < now),
                )
                .order_by(governor_slots.c.slot)
                .limit(1)
            )
            if self.engine.dialect.name == "postgresql":
                free = free.with_for_update(skip_locked=True)
            taken = db.execute(
                update(governor_slots)
                .where(
                    governor_slots.c.connection == self.connection,
                    governor_slots.c.slot == free.scalar_subquery(),
                    or_(governor_slots.c.holder.is_(None), governor_slots.c.lease_until < now),
                )
                .values(holder=holder, lease_until=now + self.lease_seconds)
                .returning(governor_slots.c.slot)
            ).scalar()
        return int(taken) if taken is not None else None

    def _release(self, slot: int, holder: str) -> None:
        with self.engine.begin() as db:
            db.execute(
                update(governor_slots)
                .where(
                    and_(
                        governor_slots.c.connection == self.connection,
                        governor_slots.c.slot == slot,
                        governor_slots.c.holder == holder,
                    )
                )
                .values(holder=None, lease_until=None)
            )

    def state(self) -> GovernorState:
        now = self.clock()
        with self.engine.connect() as db:
            row = db.execute(
                select(governor_state).where(governor_state.c.connection == self.connection)
            ).one()
            in_flight = db.execute(
                select(func.count())
                .select_from(governor_slots)
                .where(
                    governor_slots.c.connection == self.connection,
                    governor_slots.c.holder.is_not(None),
                    governor_slots.c.lease_until >= now,
                )
            ).scalar_one()
        return GovernorState(
            self.connection, row.ceiling, row.limit_value, row.blocked_until, row.rate_limited, int(in_flight)
        )


def _least(engine: Engine, a: Any, b: Any) -> Any:
    return func.min(a, b) if engine.dialect.name == "sqlite" else func.least(a, b)


def _greatest(engine: Engine, a: Any, b: Any) -> Any:
    return func.max(a, b) if engine.dialect.name == "sqlite" else func.greatest(a, b)
