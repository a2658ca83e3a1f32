"""Connection incidents: one outage, one problem, instead of one failed job per record.

When a connection as a whole fails (NetSuite refuses the token, a store's host cannot be reached,
NetSuite is in a maintenance window, an ``https://`` URL points at a plain-HTTP port), every record's job
would otherwise call it, fail the same way and land in the error queue, and every poll would queue the
same records again. Instead:

- the first job that meets such a failure opens ONE incident on the connection (a row in ``incidents``;
  a partial unique index keeps it to one open incident per connection across every process) and waits on
  ``incident:<connection>`` with :meth:`Queue.wait`, which spends no attempt;
- every later request of that connection is refused by its :class:`IncidentGate` before anything is
  sent, and its job waits the same way; jobs that wait on a paused job (orders on their customer) just
  keep waiting, so no DEPENDENCY_FAILED is made of one cause;
- an :class:`IncidentProber` checks the connection with its cheapest request (``probe()`` of the
  connector) on a capped exponential backoff, and on the first answer closes the incident and puts the
  waiting jobs back in the queue in the same transaction.

The gate reads open incidents from the database through a per-process cache refreshed at most every
``cache_seconds``, so pausing costs no query per request, and a process learns within that long that
another process opened or closed an incident.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

import structlog
from sqlalchemy import Engine, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ledgerlink.engine.liveness import Liveness
from ledgerlink.engine.problems import Code, Problem, ProblemError, Severity
from ledgerlink.engine.queue import Job, Queue
from ledgerlink.store.tables import incidents as incidents_table
from ledgerlink.store.tables import jobs

log = structlog.get_logger("ledgerlink.incidents")

KEY_PREFIX = "incident:"
WAITING_FOR_CONNECTION = "WAITING_FOR_CONNECTION"
# Problems that say nothing about the record and everything about the connection.
CONNECTION_CODES = frozenset({Code.AUTH_FAILED, Code.REMOTE_MAINTENANCE, Code.TLS_MISMATCH})
# Transport failures before the request reached the remote: refused, no such host, no TLS, no answer to
# the connection attempt. A read timeout is not one: the remote took the request and may be slow on it.
UNREACHED_ERRORS = frozenset({"ConnectError", "ConnectTimeout"})

_probing: ContextVar[bool] = ContextVar("ledgerlink_incident_probe", default=False)


def incident_key(connection: str) -> str:
    """What jobs paused by ``connection``'s incident wait on."""
    return f"{KEY_PREFIX}{connection}"


def concerns_connection(problem: Problem) -> bool:
    """Whether ``problem`` is the connection's, not the record's: retrying another record cannot help.

    A connector marks a refusal that holds for one request only (a read-only key that writes, an ACL
    resource the integration lacks) with ``details["scope"] = "request"``.
    """
    if problem.details.get("scope") == "request":
        return False
    return problem.code in CONNECTION_CODES or problem.details.get("error") in UNREACHED_ERRORS


@contextlib.contextmanager
def probing() -> Iterator[None]:
    """Requests made inside pass the gate: they are the check of whether the connection is back."""
    token = _probing.set(True)
    try:
        yield
    finally:
        _probing.reset(token)


@dataclass(frozen=True)
class Incident:
    id: int
    connection: str
    code: str
    problem: Problem
    opened_at: float
    last_probe_at: float | None
    next_probe_at: float
    probes: int
    closed_at: float | None

    @property
    def key(self) -> str:
        return incident_key(self.connection)


def _incident(row: Any) -> Incident:
    return Incident(
        id=row["id"],
        connection=row["connection"],
        code=row["code"],
        problem=Problem.from_dict(row["problem"]),
        opened_at=row["opened_at"],
        last_probe_at=row["last_probe_at"],
        next_probe_at=row["next_probe_at"],
        probes=row["probes"],
        closed_at=row["closed_at"],
    )


class ConnectionDown(ProblemError):
    """The connection failed, not the record: the worker parks the job on the connection's incident.

    ``sent`` says whether a request went out: False when the gate refused it because an incident is
    already open, True when the remote's answer (or its silence) was the connection-level problem.
    """

    def __init__(
        self,
        incidents: Incidents,
        connection: str,
        problem: Problem,
        *,
        sent: bool,
        incident_id: int | None = None,
    ) -> None:
        super().__init__(problem)
        self.incidents = incidents
        self.connection = connection
        self.sent = sent
        self.incident_id = incident_id  # the open incident the gate saw, when it refused

    @property
    def key(self) -> str:
        return incident_key(self.connection)


class Incidents:
    """The ``incidents`` table, the per-process cache of open incidents, and the backoff of probes."""

    def __init__(
        self,
        engine: Engine,
        *,
        probe_base: float = 2.0,
        probe_cap: float = 30.0,
        cache_seconds: float = 1.0,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.probe_base = probe_base
        self.probe_cap = probe_cap
        self.cache_seconds = cache_seconds
        self.clock = clock
        self.monotonic = monotonic
        self._cached: dict[str, Incident] = {}
        self._cached_at: float | None = None

    def gate(self, connection: str) -> IncidentGate:
        return IncidentGate(self, connection)

    def probe_delay(self, failed_probes: int) -> float:
        """Seconds from a failure to the next probe: base, twice that, ... never more than the cap."""
        return min(self.probe_cap, self.probe_base * 2 ** min(failed_probes, 32))

    # -- reading --------------------------------------------------------------------------------------

    def open_incidents(self) -> list[Incident]:
        query = (
            select(incidents_table)
            .where(incidents_table.c.closed_at.is_(None))
            .order_by(incidents_table.c.id)
        )
        with self.engine.connect() as connection:
            found = [_incident(row) for row in connection.execute(query).mappings()]
        self._cached = {incident.connection: incident for incident in found}
        self._cached_at = self.monotonic()
        return found

    def get_open(self, connection: str) -> Incident | None:
        return next((i for i in self.open_incidents() if i.connection == connection), None)

    def cached(self, connection: str) -> Incident | None:
        """The connection's open incident as this process last read it (at most ``cache_seconds`` ago)."""
        if self._cached_at is None or self.monotonic() - self._cached_at >= self.cache_seconds:
            self.open_incidents()
        return self._cached.get(connection)

    def cached_any(self) -> bool:
        if self._cached_at is None or self.monotonic() - self._cached_at >= self.cache_seconds:
            self.open_incidents()
        return bool(self._cached)

    def history(self, *, limit: int = 20) -> list[Incident]:
        """Incidents newest first, closed ones included."""
        query = select(incidents_table).order_by(incidents_table.c.id.desc()).limit(limit)
        with self.engine.connect() as connection:
            return [_incident(row) for row in connection.execute(query).mappings()]

    def paused_counts(self) -> dict[str, int]:
        """Jobs waiting on each connection's incident, by connection."""
        waiting_on = jobs.c.waiting_on
        # A range on the indexed column instead of LIKE: ';' is the character after ':'.
        query = (
            select(waiting_on, func.count())
            .where(
                jobs.c.state == "waiting",
                waiting_on >= KEY_PREFIX,
                waiting_on < KEY_PREFIX[:-1] + ";",
            )
            .group_by(waiting_on)
        )
        with self.engine.connect() as connection:
            return {key.removeprefix(KEY_PREFIX): int(n) for key, n in connection.execute(query)}

    # -- opening and parking --------------------------------------------------------------------------

    def open(self, connection: str, problem: Problem) -> tuple[Incident, bool]:
        """The connection's open incident, opened now with ``problem`` unless one is open already;
        returns it and whether this call opened it. Safe to call from every process at once."""
        for _ in range(3):
            now = self.clock()
            insert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
            statement = (
                insert(incidents_table)
                .values(
                    connection=connection,
                    code=problem.code,
                    problem=problem.as_dict(),
                    opened_at=now,
                    next_probe_at=now + self.probe_delay(0),
                    probes=0,
                )
                .on_conflict_do_nothing()
                .returning(incidents_table.c.id)
            )
            with self.engine.begin() as db:
                created = db.execute(statement).scalar()
                row = (
                    db.execute(
                        select(incidents_table).where(
                            incidents_table.c.connection == connection, incidents_table.c.closed_at.is_(None)
                        )
                    )
                    .mappings()
                    .first()
                )
            if row is None:
                continue  # closed between the insert and the read: open a fresh one
            incident = _incident(row)
            self._cached[connection] = incident
            if created is not None:
                log.warning(
                    "connection incident opened",
                    connection=connection,
                    code=problem.code,
                    what=problem.what,
                    why=problem.why,
                    next_probe_in=round(self.probe_delay(0), 1),
                )
            return incident, created is not None
        raise RuntimeError(f"could not open an incident on {connection}: it kept closing")

    def park(self, queue: Queue, job: Job, down: ConnectionDown) -> str:
        """Open the incident (when the connection's failure was just met) and make ``job`` wait on it,
        spending no attempt; returns the job's state, ``waiting``. The job does not stay parked on an
        incident that closed meanwhile."""
        cause, incident_id = down.problem, down.incident_id
        if down.sent:
            incident, _created = self.open(down.connection, down.problem)
            cause, incident_id = incident.problem, incident.id
        # A refusal by the gate never opens an incident: the one it saw may have closed since.
        queue.wait(job, down.key, waiting_problem(job, down.connection, cause, incident_id))
        self._settle(queue, down.connection)
        return "waiting"

    def _settle(self, queue: Queue, connection: str) -> None:
        """Resume the connection's waiters when its incident is no longer open.

        A probe may close the incident between the moment a job met it and the moment the job's wait was
        written; the closing transaction then found nothing to resume. On PostgreSQL the row lock makes
        this read wait for a close in progress, so one of the two always sees the other.
        """
        query = select(incidents_table.c.id).where(
            incidents_table.c.connection == connection, incidents_table.c.closed_at.is_(None)
        )
        if self.engine.dialect.name == "postgresql":
            query = query.with_for_update()
        with self.engine.begin() as db:
            if db.execute(query).first() is None:
                queue.resume_waiting(incident_key(connection), connection=db)
                self._cached.pop(connection, None)

    # -- probing and closing --------------------------------------------------------------------------

    def claim_probe(self, incident: Incident) -> bool:
        """Take the next probe of ``incident`` for this process: True for one claimer only, and only when
        the probe is due. The claim pushes the next probe out by the cap, in case this process dies."""
        now = self.clock()
        with self.engine.begin() as db:
            claimed = db.execute(
                update(incidents_table)
                .where(
                    incidents_table.c.id == incident.id,
                    incidents_table.c.closed_at.is_(None),
                    incidents_table.c.next_probe_at <= now,
                )
                .values(next_probe_at=now + self.probe_cap)
            )
        return (claimed.rowcount or 0) == 1

    def probe_failed(self, incident: Incident, problem: Problem | None = None) -> float:
        """Record a failed probe and back off; ``problem`` (what the probe met) becomes the incident's.
        Returns the time of the next probe."""
        now = self.clock()
        next_probe = now + self.probe_delay(incident.probes + 1)
        values: dict[str, Any] = {
            "probes": incidents_table.c.probes + 1,
            "last_probe_at": now,
            "next_probe_at": next_probe,
        }
        if problem is not None:
            problem = replace(problem, details={**problem.details, "connection": incident.connection})
            values |= {"code": problem.code, "problem": problem.as_dict()}
        with self.engine.begin() as db:
            db.execute(
                update(incidents_table)
                .where(incidents_table.c.id == incident.id, incidents_table.c.closed_at.is_(None))
                .values(**values)
            )
        log.info(
            "connection still down",
            connection=incident.connection,
            code=problem.code if problem else incident.code,
            probes=incident.probes + 1,
            next_probe_in=round(next_probe - now, 1),
        )
        return next_probe

    def close(self, incident: Incident, queue: Queue) -> int | None:
        """Close ``incident`` and put the jobs waiting on it back in the queue, in one transaction.
        Returns how many jobs resumed, or None when it was closed already (by another process)."""
        now = self.clock()
        with self.engine.begin() as db:
            closed = db.execute(
                update(incidents_table)
                .where(incidents_table.c.id == incident.id, incidents_table.c.closed_at.is_(None))
                .values(closed_at=now, last_probe_at=now)
            )
            resumed = queue.resume_waiting(incident.key, connection=db) if closed.rowcount == 1 else None
        self._cached.pop(incident.connection, None)
        if resumed is not None:
            log.warning(
                "connection incident closed",
                connection=incident.connection,
                code=incident.code,
                open_seconds=round(now - incident.opened_at, 1),
                resumed=resumed,
            )
        return resumed


def waiting_problem(job: Job, connection: str, cause: Problem, incident_id: int | None) -> Problem:
    """What a paused job says while it waits: the incident's cause and fix, not a failure of its own."""
    return Problem(
        code=WAITING_FOR_CONNECTION,
        what=f"{job.kind} for {job.record_key}",
        why=f"connection {connection} is paused ({cause.code}): {cause.what}: {cause.why}",
        fix=f"{cause.fix.rstrip('.')}. The job continues by itself once the connection answers.",
        severity=Severity.TRANSIENT,
        team=cause.team,
        details={"incident": incident_id, "connection": connection, "cause": cause.code},
    )


class IncidentGate:
    """A connector's :class:`~ledgerlink.connectors.gate.Gate` onto ``connection``'s incident."""

    def __init__(self, incidents: Incidents, connection: str) -> None:
        self.incidents = incidents
        self.connection = connection

    def __repr__(self) -> str:
        return f"IncidentGate({self.connection!r})"

    def check(self) -> None:
        if _probing.get():
            return
        incident = self.incidents.cached(self.connection)
        if incident is not None:
            raise ConnectionDown(
                self.incidents, self.connection, incident.problem, sent=False, incident_id=incident.id
            )

    def screen(self, error: ProblemError) -> ProblemError:
        if _probing.get() or isinstance(error, ConnectionDown) or not concerns_connection(error.problem):
            return error
        problem = replace(error.problem, details={**error.problem.details, "connection": self.connection})
        return ConnectionDown(self.incidents, self.connection, problem, sent=True)


Probe = Callable[[], Awaitable[object]]
LOOP = "incident prober"


class IncidentProber:
    """Checks each connection with an open incident when its next probe is due; closes the incident and
    resumes its jobs on the first answer, or backs off.

    Several processes may run a prober: the claim on each probe lets one of them send it, and the close
    succeeds once. A probe that meets a problem of the record kind (a permission the probe's query
    lacks, say) still proves the connection answers, so it closes the incident too.
    """

    def __init__(
        self,
        incidents: Incidents,
        queue: Queue,
        probes: Mapping[str, Probe],
        *,
        tick_seconds: float = 0.5,
        liveness: Liveness | None = None,
    ) -> None:
        self.incidents = incidents
        self.queue = queue
        self.probes = dict(probes)
        self.tick_seconds = tick_seconds
        self.liveness = liveness or Liveness()

    def _probed(self, found: list[Incident]) -> list[Incident]:
        return [incident for incident in found if incident.connection in self.probes]

    async def probe_due(self) -> list[Incident]:
        """Probe every incident whose probe is due; returns the incidents this call closed."""
        if not self.incidents.cached_any():
            return []
        now = self.incidents.clock()
        due = [i for i in self._probed(self.incidents.open_incidents()) if i.next_probe_at <= now]
        claimed = [incident for incident in due if self.incidents.claim_probe(incident)]
        outcomes = await asyncio.gather(*(self._probe(incident) for incident in claimed))
        return [incident for incident, closed in zip(claimed, outcomes, strict=True) if closed]

    async def _probe(self, incident: Incident) -> bool:
        try:
            with probing():
                await self.probes[incident.connection]()
        except ProblemError as error:
            if concerns_connection(error.problem):
                self.incidents.probe_failed(incident, error.problem)
                return False
            log.info(
                "probe answered with a problem of its own: the connection works",
                connection=incident.connection,
                code=error.problem.code,
            )
        except Exception:
            log.exception("probe crashed", connection=incident.connection)
            self.incidents.probe_failed(incident)
            return False
        return self.incidents.close(incident, self.queue) is not None

    def next_probe_in(self) -> float | None:
        """Seconds until the earliest probe of an open incident (0 when due), None when none is open."""
        found = self._probed(self.incidents.open_incidents())
        if not found:
            return None
        return max(0.0, min(i.next_probe_at for i in found) - self.incidents.clock())

    async def run(self, stop: asyncio.Event) -> None:
        """Probe until ``stop`` is set. A failing turn (the database blinked) is logged with its
        traceback and counted in the process's liveness; the next turn tries again.

        A probe of a host that does not answer lasts the connection's timeout: the loop beats while it
        waits (waiting on the network is turning, not standing still), and a stop cancels the probe.
        """
        self.liveness.started(LOOP)
        try:
            while not stop.is_set():
                error = await self._turn(stop)
                if error is not None:
                    self.liveness.failed(LOOP, error)
                    log.error("incident probing failed; going on", exc_info=error)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.tick_seconds)
        finally:
            self.liveness.stopped(LOOP, expected=stop.is_set(), because="stopped")

    async def _turn(self, stop: asyncio.Event) -> BaseException | None:
        turn = asyncio.ensure_future(self.probe_due())
        stopping = asyncio.ensure_future(stop.wait())
        try:
            while not turn.done() and not stop.is_set():
                await asyncio.wait(
                    {turn, stopping}, timeout=self.tick_seconds, return_when=asyncio.FIRST_COMPLETED
                )
                self.liveness.beat(LOOP)
        finally:
            stopping.cancel()
            if not turn.done():
                turn.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await turn
        return None if turn.cancelled() else turn.exception()

    async def until_recovered(self, within: float, *, stop: asyncio.Event | None = None) -> bool:
        """Probe open incidents for up to ``within`` seconds; True as soon as one closes (its jobs are
        runnable again), False when none is open, none answered in time or ``stop`` was set."""
        stop = stop or asyncio.Event()
        deadline = time.monotonic() + within
        while not stop.is_set():
            wait = self.next_probe_in()
            if wait is None or time.monotonic() + wait > deadline:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait)
            if not stop.is_set() and await self.probe_due():
                return True
        return False
