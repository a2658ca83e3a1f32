"""Bulk writes through NetSuite's REST batch operations: submit, poll the asynchronous job, read results.

NetSuite (Oracle, "Batch Operations", "REST Web Services Request Processing") takes up to 100 records of
one type in a single ``POST``/``PUT``/``PATCH`` on the record collection, with ``Prefer: respond-async``
and ``Content-Type: application/vnd.oracle.resource+json; type=collection``, body ``{"items": [...]}``.
``PUT`` items are upserts by ``externalId``. The answer is ``202`` with ``Location`` of an asynchronous job;
``GET /async/v1/job/{id}`` says when it has ``completed``, each record is a task, and
``/task/{taskId}/result`` is that record's answer (the new record's ``Location``, or an nsError).

:class:`BulkWriter` splits records into batches of at most 100, sends each with an
``X-NetSuite-Idempotency-Key`` derived from its content (a batch sent again after a lost answer is refused
by NetSuite with ``IDEMPOTENCY_ERROR`` naming the first job, which is then followed: nothing runs twice),
polls with backoff, and maps every record's result to an internal id or a Problem. Tasks are matched to
records by order (task n is the n-th item), which Oracle's pages do not spell out.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from ledgerlink.connectors.netsuite.client import RECORD_ROOT, NetSuiteClient, record_path
from ledgerlink.connectors.netsuite.errors import RequestInfo, problem_from_response
from ledgerlink.engine.problems import Code, Problem, Team, permanent, transient

BATCH_LIMIT = 100
COLLECTION_TYPE = "application/vnd.oracle.resource+json; type=collection"
_KEY_NAMESPACE = uuid.UUID("6f1c7a52-8d0e-4c1b-9a57-2f4b1e0d7c11")


@dataclass(frozen=True)
class BulkItemResult:
    """What became of one record of a batch."""

    external_id: str | None
    internal_id: str | None = None
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class PollPolicy:
    """How often to ask whether a job has finished: backoff from ``first`` by ``factor`` up to ``cap``."""

    first_seconds: float = 0.5
    factor: float = 1.6
    cap_seconds: float = 15.0
    timeout_seconds: float = 900.0  # NetSuite times requests out after 15 minutes


class BulkWriter:
    """Batch upserts, creates, updates and deletes of one record type over REST batch operations."""

    def __init__(
        self,
        client: NetSuiteClient,
        *,
        poll: PollPolicy | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.poll = poll or PollPolicy()
        self._sleep = sleep
        self._clock = clock

    async def upsert(self, record_type: str, records: Sequence[dict[str, Any]]) -> list[BulkItemResult]:
        """Create or update each record by its ``externalId`` (required on every record)."""
        for index, record in enumerate(records):
            if not isinstance(record.get("externalId"), str) or not record["externalId"]:
                raise _caller_error(record_type, f"record {index} has no externalId; batch upserts need one")
        return await self._write("PUT", record_type, records)

    async def create(self, record_type: str, records: Sequence[dict[str, Any]]) -> list[BulkItemResult]:
        """Create each record. Prefer :meth:`upsert`: a create cannot tell a retry from a new record."""
        return await self._write("POST", record_type, records)

    async def update(self, record_type: str, records: Sequence[dict[str, Any]]) -> list[BulkItemResult]:
        """Update each record named by ``id`` (wins) or ``externalId``."""
        for index, record in enumerate(records):
            if not record.get("id") and not record.get("externalId"):
                raise _caller_error(record_type, f"record {index} has neither id nor externalId")
        return await self._write("PATCH", record_type, records)

    async def delete(self, record_type: str, ids: Sequence[str]) -> list[BulkItemResult]:
        """Delete records by internal id or ``eid:<external id>``."""
        results: list[BulkItemResult] = []
        path = record_path(record_type)
        for chunk in _chunks(list(ids)):
            key = _content_key("DELETE", record_type, chunk)
            job = await self.client.submit_async(
                "DELETE",
                path,
                params={"ids": ",".join(chunk)},
                idempotency_key=key,
                record_type=record_type,
            )
            await self.wait(job)
            items = [{"externalId": i[4:]} if i.startswith("eid:") else {"id": i} for i in chunk]
            results.extend(await self.results(job, "DELETE", record_type, items))
        return results

    async def _write(
        self, method: str, record_type: str, records: Sequence[dict[str, Any]]
    ) -> list[BulkItemResult]:
        results: list[BulkItemResult] = []
        path = record_path(record_type)
        for chunk in _chunks(list(records)):
            job = await self.submit(method, record_type, chunk, path=path)
            await self.wait(job)
            results.extend(await self.results(job, method, record_type, chunk))
        return results

    async def submit(
        self,
        method: str,
        record_type: str,
        items: Sequence[dict[str, Any]],
        *,
        path: str | None = None,
        idempotency_key: str | None = None,
    ) -> str:
        """Send one batch (at most 100 records); returns the asynchronous job's id."""
        if not items:
            raise _caller_error(record_type, "an empty batch")
        if len(items) > BATCH_LIMIT:
            raise _caller_error(record_type, f"{len(items)} records; NetSuite takes at most {BATCH_LIMIT}")
        return await self.client.submit_async(
            method,
            path or record_path(record_type),
            body={"items": list(items)},
            content_type=COLLECTION_TYPE,
            idempotency_key=idempotency_key or _content_key(method, record_type, items),
            record_type=record_type,
        )

    async def wait(self, job_id: str) -> dict[str, Any]:
        """Poll the job with backoff until it has completed; its last status document."""
        started = self._clock()
        delay = self.poll.first_seconds
        while True:
            job = await self.client.async_job(job_id)
            if job.get("completed") is True:
                return job
            if self._clock() - started >= self.poll.timeout_seconds:
                raise transient(
                    Code.REMOTE_UNAVAILABLE,
                    f"NetSuite's asynchronous job {job_id} has not finished",
                    f"still {job.get('progress', 'pending')} after {self.poll.timeout_seconds:g} s",
                    "Nothing to do if it passes: the job keeps running in NetSuite and the retry finds it by "
                    "its idempotency key. If it persists, check the account's REST Async Processors "
                    "(SuiteCloud Plus licences) and other asynchronous work.",
                    job_id=job_id,
                )
            await self._sleep(delay)
            delay = min(self.poll.cap_seconds, delay * self.poll.factor)

    async def results(
        self, job_id: str, method: str, record_type: str, items: Sequence[dict[str, Any]]
    ) -> list[BulkItemResult]:
        """Each record's outcome, in the order of ``items``."""
        task_ids = await self.client.async_task_ids(job_id)
        results: list[BulkItemResult] = []
        for index, item in enumerate(items):
            external_id = item.get("externalId") if isinstance(item.get("externalId"), str) else None
            if index >= len(task_ids):
                problem = permanent(
                    Code.BAD_RESPONSE,
                    f"NetSuite's job {job_id} has no result for record {index}",
                    f"the job has {len(task_ids)} tasks for {len(items)} records",
                    "Report the details to the integration team; check the record in NetSuite by its "
                    "external id before sending it again.",
                    team=Team.INTEGRATION,
                    job_id=job_id,
                ).problem
                results.append(BulkItemResult(external_id, problem=problem))
                continue
            response = await self.client.async_task_result(job_id, task_ids[index])
            target = f"eid:{external_id}" if external_id and not item.get("id") else str(item.get("id") or "")
            info = RequestInfo(
                method,
                record_path(record_type, target) if target else record_path(record_type),
                record_type,
                target or None,
                body=item if method != "DELETE" else None,
            )
            if response.status_code < 400:
                results.append(BulkItemResult(external_id, _internal_id(response.headers.get("Location"))))
            else:
                error = problem_from_response(
                    response, info, now=time.time(), auth=self.client.connection.auth
                )
                problem = error.problem
                details = {**problem.details, "job_id": job_id, "task_id": task_ids[index]}
                results.append(BulkItemResult(external_id, problem=_with_details(problem, details)))
        return results


def _with_details(problem: Problem, details: dict[str, Any]) -> Problem:
    return replace(problem, details=details)


def _internal_id(location: str | None) -> str | None:
    if not location or RECORD_ROOT not in location:
        return None
    segment = unquote(urlsplit(location).path.rstrip("/").rsplit("/", 1)[-1])
    return None if not segment or segment.startswith("eid:") else segment


def _chunks(items: list[Any]) -> list[list[Any]]:
    return [items[i : i + BATCH_LIMIT] for i in range(0, len(items), BATCH_LIMIT)]


def _content_key(method: str, record_type: str, items: Sequence[Any]) -> str:
    """A UUID naming exactly this batch: the same batch sent again carries the same key."""
    text = json.dumps([method, record_type, list(items)], sort_keys=True, default=str)
    return str(uuid.uuid5(_KEY_NAMESPACE, hashlib.sha256(text.encode()).hexdigest()))


def _caller_error(record_type: str, why: str) -> Exception:
    return permanent(
        Code.VALIDATION_FAILED,
        f"the batch of {record_type} was not sent to NetSuite",
        why,
        "Correct the code that builds this batch.",
        team=Team.INTEGRATION,
        path=f"{RECORD_ROOT}/{quote(record_type, safe='')}",
    )
