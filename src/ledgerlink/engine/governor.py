"""The governor: one concurrency budget per connection, shared by every worker in every process.

NetSuite limits concurrent requests per account, not per process, so the budget lives in the database:
``governor_slots`` holds one row per slot up to the configured ceiling, and a request runs only while it
holds an unexpired lease on a slot numbered below the current limit. A process that dies mid-request
loses its slots when their leases expire.

The limit adapts (AIMD): each successful answer grows it by ``1/limit`` (about one slot per round of
requests) up to the ceiling; a rejection for concurrency or rate (429, CONCURRENCY_LIMIT_EXCEEDED)
halves it, at most once per ``decrease_interval`` so that one burst of rejections counts once, and
blocks new requests until the remote's Retry-After has passed.

Part of the budget (``urgent_reserve``, at least one slot) is kept for urgent lanes: a request made
for a bulk lane (catalog, images, inventory) may only take the slots below the limit less that reserve.

In front of the database sits a per-process semaphore of the ceiling's size, so a process never has
more requests polling for slots than it could ever run.
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


class SharedGovernor:
    def __init__(
        self,
        engine: Engine,
        connection: str,
        *,
        ceiling: int,
        lease_seconds: float = 120.0,
        poll_seconds: float = 0.003,
        decrease_interval: float = 1.0,
        urgent_reserve: float = 0.2,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if ceiling < 1:
            raise ValueError("a governor needs a ceiling of at least 1")
        self.engine = engine
        self.connection = connection
        self.ceiling = ceiling
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self.decrease_interval = decrease_interval
        self.urgent_reserve = urgent_reserve
        self.clock = clock
        self.holder_prefix = uuid.uuid4().hex[:12]
        self._local = asyncio.Semaphore(ceiling)
        self._polling = asyncio.Lock()
        self._freed = asyncio.Event()
        self._rng = random.Random()
        self._limit_cache = (float(ceiling), 0.0, 0.0)  # (limit, blocked_until, read at)
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
        async with self._local:
            holder = f"{self.holder_prefix}:{uuid.uuid4().hex[:8]}"
            # One request per process polls the database at a time; a slot freed in this process
            # wakes it at once, so the common hand-over costs no polling at all.
            async with self._polling:
                slot = self._try_acquire(holder)
                while slot is None:
                    self._freed.clear()
                    try:
                        await asyncio.wait_for(
                            self._freed.wait(), self.poll_seconds * (0.5 + self._rng.random())
                        )
                    except TimeoutError:
                        pass
                    slot = self._try_acquire(holder)
            try:
                yield
            finally:
                self._release(slot, holder)
                self._freed.set()

    def report(self, outcome: object, retry_after: float | None = None) -> None:
        now = self.clock()
        condition = governor_state.c.connection == self.connection
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
            if now < state.blocked_until:
                return None
            limit = max(1, math.floor(state.limit_value + 1e-9))
            if is_bulk(current_lane.get()) and limit > 1:
                limit -= max(1, round(limit * self.urgent_reserve))  # bulk lanes leave room for orders
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
