"""Claims read the backlog through the runnable-jobs index, however long the backlog is.

A regression guard: when the states were bound parameters, no partial index could serve the claim and
every claim read the whole backlog (over a second per claim at 10,000 queued jobs on PostgreSQL).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event, text

from ledgerlink.engine.queue import JobSpec, Queue


def _claim_sql(database: Engine, queue: Queue) -> tuple[str, Any]:
    seen: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith("UPDATE JOBS SET STATE"):
            seen.append((statement, parameters))

    event.listen(database, "before_cursor_execute", capture)
    try:
        queue.claim("planner", 8)
    finally:
        event.remove(database, "before_cursor_execute", capture)
    assert seen, "the claim ran no UPDATE"
    return seen[0]


def test_the_claim_names_the_runnable_states_as_constants(database: Engine) -> None:
    queue = Queue(database)
    queue.enqueue(JobSpec(kind="noop", flow="plan", record_key="1"))
    statement, _ = _claim_sql(database, queue)
    assert "IN ('queued', 'retrying')" in statement  # the partial index's own predicate, word for word


def test_the_claim_is_planned_on_the_runnable_index(database: Engine) -> None:
    queue = Queue(database)
    with database.begin() as connection:
        for n in range(3000):
            queue.enqueue(JobSpec(kind="noop", flow="plan", record_key=str(n)), connection=connection)
        connection.execute(text("ANALYZE jobs" if database.dialect.name == "postgresql" else "ANALYZE"))
    statement, parameters = _claim_sql(database, queue)
    explain = "EXPLAIN " if database.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
    with database.connect() as connection:
        cursor = connection.connection.cursor()
        cursor.execute(explain + statement, parameters)
        plan = "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())
    assert "ix_jobs_runnable" in plan, plan
