"""Connection incidents: one per outage, jobs paused on it without spending attempts, probes that back off
and close it once, and waiting jobs that resume by themselves."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from ledgerlink.engine.incidents import (
    WAITING_FOR_CONNECTION,
    ConnectionDown,
    IncidentProber,
    Incidents,
    concerns_connection,
    incident_key,
    probing,
)
from ledgerlink.engine.problems import Code, Problem, ProblemError, Severity, Team, permanent, transient
from ledgerlink.engine.queue import Completion, Job, JobSpec, Queue
from ledgerlink.engine.worker import WaitFor, Worker
from ledgerlink.store.tables import incidents as incidents_table
from ledgerlink.store.tables import problems


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def auth_failed() -> ProblemError:
    return permanent(
        Code.AUTH_FAILED, "NetSuite did not accept the credentials", "INVALID_LOGIN", "check the token",
        team=Team.INTEGRATION, status=401,
    )  # fmt: skip


def refused() -> ProblemError:
    return transient(
        Code.REMOTE_UNAVAILABLE, "the store is unavailable", "GET /orders could not reach the store",
        "check the store", error="ConnectError",
    )  # fmt: skip


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def incidents(database: Engine, clock: Clock) -> Incidents:
    return Incidents(database, clock=clock, monotonic=clock)


@pytest.fixture
def queue(database: Engine, clock: Clock) -> Queue:
    return Queue(database, clock=clock)


def spec(key: str, kind: str = "work", **kw: object) -> JobSpec:
    return JobSpec(kind=kind, flow="f", record_key=key, dedupe_key=key, lock_key=key, **kw)  # type: ignore[arg-type]


def test_which_problems_are_the_connections() -> None:
    assert concerns_connection(auth_failed().problem)
    assert concerns_connection(refused().problem)
    connect_timeout = transient(Code.REMOTE_UNAVAILABLE, "w", "y", "f", error="ConnectTimeout")
    assert concerns_connection(connect_timeout.problem)
    for code in (Code.REMOTE_MAINTENANCE, Code.TLS_MISMATCH):
        assert concerns_connection(Problem(code, "w", "y", "f"))
    # A request that reached the remote says nothing about the connection as a whole.
    read_timeout = transient(Code.REMOTE_UNAVAILABLE, "w", "y", "f", error="ReadTimeout")
    assert not concerns_connection(read_timeout.problem)
    assert not concerns_connection(transient(Code.REMOTE_UNAVAILABLE, "w", "y", "f", status=503).problem)
    assert not concerns_connection(permanent(Code.SKU_NOT_FOUND, "w", "y", "f").problem)
    # A refusal of one request (a read-only key that writes) leaves the connection working.
    write_refused = permanent(Code.AUTH_FAILED, "w", "y", "f", scope="request")
    assert not concerns_connection(write_refused.problem)


def test_one_open_incident_per_connection(incidents: Incidents, database: Engine) -> None:
    first, created = incidents.open("netsuite", auth_failed().problem)
    again, created_again = incidents.open("netsuite", refused().problem)
    assert created and not created_again
    assert again.id == first.id and again.code == Code.AUTH_FAILED
    other, _ = incidents.open("woo", refused().problem)
    assert other.id != first.id
    with pytest.raises(IntegrityError), database.begin() as db:  # the schema refuses a second open one
        db.execute(
            incidents_table.insert().values(
                connection="netsuite", code="X", problem={}, opened_at=0, next_probe_at=0, probes=0
            )
        )
    assert {i.connection for i in incidents.open_incidents()} == {"netsuite", "woo"}


def test_a_closed_incident_closes_once_and_a_new_outage_opens_a_new_one(
    incidents: Incidents, queue: Queue
) -> None:
    incident, _ = incidents.open("netsuite", auth_failed().problem)
    assert incidents.close(incident, queue) == 0
    assert incidents.close(incident, queue) is None  # another process got there first
    assert incidents.get_open("netsuite") is None
    reopened, created = incidents.open("netsuite", auth_failed().problem)
    assert created and reopened.id != incident.id
    assert [i.id for i in incidents.history()] == [reopened.id, incident.id]


def test_probes_back_off_exponentially_up_to_the_cap(incidents: Incidents, clock: Clock) -> None:
    assert [incidents.probe_delay(n) for n in range(7)] == [2, 4, 8, 16, 30, 30, 30]
    incident, _ = incidents.open("netsuite", auth_failed().problem)
    assert incident.next_probe_at == clock.now + 2
    assert not incidents.claim_probe(incident), "not due yet"
    waits = []
    for _ in range(6):
        clock.now = incident.next_probe_at
        assert incidents.claim_probe(incident)
        assert not incidents.claim_probe(incident), "one claimer per probe"
        next_probe = incidents.probe_failed(incident, refused().problem)
        waits.append(next_probe - clock.now)
        [incident] = incidents.open_incidents()
    assert waits == [4, 8, 16, 30, 30, 30]
    assert incident.probes == 6 and incident.last_probe_at == clock.now
    assert incident.code == Code.REMOTE_UNAVAILABLE, "the incident says what the last probe met"


def test_the_gate_refuses_while_open_and_reads_the_database_at_most_every_second(
    database: Engine, incidents: Incidents, clock: Clock
) -> None:
    gate = incidents.gate("netsuite")
    gate.check()  # nothing open
    elsewhere = Incidents(database, clock=clock)  # another process
    elsewhere.open("netsuite", auth_failed().problem)
    gate.check()  # this process's cache is fresh, so it does not know yet
    clock.now += 1.0
    with pytest.raises(ConnectionDown) as paused:
        gate.check()
    assert not paused.value.sent and paused.value.problem.code == Code.AUTH_FAILED
    assert paused.value.key == incident_key("netsuite") == "incident:netsuite"
    with probing():
        gate.check()  # a probe passes
    incidents.gate("woo").check()


def test_the_gate_turns_connection_problems_into_one_naming_the_connection(incidents: Incidents) -> None:
    gate = incidents.gate("woo")
    screened = gate.screen(refused())
    assert isinstance(screened, ConnectionDown) and screened.sent
    assert screened.connection == "woo" and screened.problem.details["connection"] == "woo"
    record = permanent(Code.SKU_NOT_FOUND, "order 1", "no SKU", "create it")
    assert gate.screen(record) is record
    with probing():
        error = auth_failed()
        assert gate.screen(error) is error


def test_resume_waiting_counts_the_jobs_it_puts_back(queue: Queue) -> None:
    for key in ("a", "b"):
        queue.enqueue(spec(key))
    for job in queue.claim("w", 2):
        queue.wait(job, "incident:woo", refused().problem)
    assert queue.resume_waiting("incident:woo") == 2
    assert queue.counts()["queued"] == 2 and queue.resume_waiting("incident:woo") == 0


def test_a_job_parked_after_its_incident_closed_does_not_stay_parked(
    incidents: Incidents, queue: Queue
) -> None:
    incident, _ = incidents.open("woo", refused().problem)
    queue.enqueue(spec("a"))
    [job] = queue.claim("w", 1)
    stale = ConnectionDown(incidents, "woo", incident.problem, sent=False)  # the gate's cache said open
    assert incidents.close(incident, queue) == 0  # the probe closed it before the job's wait was written
    incidents.park(queue, job, stale)
    parked = queue.get(job.id)
    assert parked is not None and parked.state == "queued" and parked.attempts == 0
    assert incidents.get_open("woo") is None, "a stale refusal does not open a new incident"


async def test_jobs_pause_on_one_incident_and_resume_when_the_probe_answers(
    database: Engine, incidents: Incidents, queue: Queue, clock: Clock
) -> None:
    """Ten orders each needing a new customer, against a connection whose credentials are refused."""
    gate = incidents.gate("netsuite")
    sent: list[str] = []
    healthy = False

    async def call_netsuite(what: str) -> None:
        gate.check()
        sent.append(what)
        if not healthy:
            raise gate.screen(auth_failed())

    customers_synced: set[str] = set()

    async def order(job: Job) -> Completion:
        if f"c{job.record_key}" not in customers_synced:
            waiting = Problem("WAITING_FOR_CUSTOMER", "order", "customer first", "none", Severity.TRANSIENT)
            customer = spec(f"c{job.record_key}", "customer", provides=f"customer:{job.record_key}")
            raise WaitFor(f"customer:{job.record_key}", waiting, customer)
        await call_netsuite(f"order {job.record_key}")
        return Completion()

    async def customer(job: Job) -> Completion:
        await call_netsuite(f"customer {job.record_key}")
        customers_synced.add(job.record_key)
        return Completion()

    handlers = {"order": order, "customer": customer}
    for n in range(10):
        queue.enqueue(spec(str(n), "order"))
    worker = Worker(queue, handlers, concurrency=1, poll_interval=0.01)
    await worker.run(until_idle=True)

    [incident] = incidents.open_incidents()
    assert incident.connection == "netsuite" and incident.code == Code.AUTH_FAILED
    assert sent == ["customer c0"], "the first refusal paused every other request"
    parked = queue.find(states=["waiting"], limit=100)
    customers = [j for j in parked if j.kind == "customer"]
    assert len(customers) == 10 and all(j.waiting_on == "incident:netsuite" for j in customers)
    assert all(j.attempts == 0 and j.problem["code"] == WAITING_FOR_CONNECTION for j in customers)  # type: ignore[index]
    assert all(j.problem["details"]["cause"] == Code.AUTH_FAILED for j in customers)  # type: ignore[index]
    orders = [j for j in parked if j.kind == "order"]
    assert len(orders) == 10, "orders wait on their customers; no DEPENDENCY_FAILED"
    assert queue.counts()["failed"] == queue.counts()["dead"] == 0
    with database.connect() as db:
        assert db.execute(select(func.count()).select_from(problems)).scalar_one() == 0
    assert incidents.paused_counts() == {"netsuite": 10}

    probed: list[str] = []

    async def probe() -> None:
        probed.append("probe")
        if not healthy:
            raise auth_failed()

    prober = IncidentProber(incidents, queue, {"netsuite": probe})
    assert await prober.probe_due() == [] and probed == [], "not due yet"
    clock.now = incident.next_probe_at
    assert await prober.probe_due() == []
    [still] = incidents.open_incidents()
    assert still.probes == 1 and still.next_probe_at == clock.now + 4
    clock.now = still.next_probe_at
    healthy = True  # the token secret was fixed and the process restarted
    assert [i.id for i in await prober.probe_due()] == [incident.id]
    assert incidents.open_incidents() == [] and probed == ["probe", "probe"]
    await worker.run(until_idle=True)
    assert queue.counts()["done"] == 20
    expected = [f"customer c{n}" for n in range(10)] + [f"order {n}" for n in range(10)]
    assert sorted(sent[1:]) == sorted(expected)


async def test_a_probe_that_meets_a_problem_of_its_own_still_closes(
    incidents: Incidents, queue: Queue
) -> None:
    incident, _ = incidents.open("netsuite", auth_failed().problem)

    async def forbidden() -> None:
        raise permanent(Code.PERMISSION_DENIED, "SuiteQL", "the role may not read currencies", "grant it")

    incidents.clock = lambda: incident.next_probe_at  # type: ignore[method-assign]
    assert await IncidentProber(incidents, queue, {"netsuite": forbidden}).probe_due() == [incident]


async def test_a_crashing_probe_backs_off_and_connections_without_probes_are_left(
    incidents: Incidents, queue: Queue, clock: Clock
) -> None:
    incident, _ = incidents.open("netsuite", auth_failed().problem)
    incidents.open("retired", refused().problem)  # a connection this process does not configure

    async def crash() -> None:
        raise KeyError("bug")

    prober = IncidentProber(incidents, queue, {"netsuite": crash})
    clock.now = incident.next_probe_at
    assert prober.next_probe_in() == 0.0
    assert await prober.probe_due() == []
    [after] = [i for i in incidents.open_incidents() if i.connection == "netsuite"]
    assert after.probes == 1 and after.code == Code.AUTH_FAILED
    assert prober.next_probe_in() == 4.0


async def test_two_probers_close_an_incident_once(database: Engine, clock: Clock, queue: Queue) -> None:
    first, second = Incidents(database, clock=clock), Incidents(database, clock=clock)
    incident, _ = first.open("woo", refused().problem)
    queue.enqueue(spec("a"))
    [job] = queue.claim("w", 1)
    first.park(queue, job, ConnectionDown(first, "woo", incident.problem, sent=True))
    clock.now = incident.next_probe_at

    async def answers() -> None:
        await asyncio.sleep(0)

    probers = [IncidentProber(i, queue, {"woo": answers}) for i in (first, second)]
    closed = await asyncio.gather(*(p.probe_due() for p in probers))
    assert sorted(len(c) for c in closed) == [0, 1]
    resumed = queue.get(job.id)
    assert resumed is not None and resumed.state == "queued"
