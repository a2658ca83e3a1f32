"""Asynchronous requests, batch operations and idempotency keys, as NetSuite's REST web services do them.

Oracle ("REST Web Services Request Processing", "Batch Operations"):

* Any REST request sent with ``Prefer: respond-async`` is answered ``202 Accepted`` with
  ``Preference-Applied: respond-async`` and ``Location: /services/rest/async/v1/job/{id}``.
* ``GET /services/rest/async/v1/job/{id}`` -> ``{links, completed, id, progress, task: {links}}``;
  ``GET .../job/{id}/task`` lists the tasks; ``GET .../task/{taskId}`` ->
  ``{links, completed, id, progress, startTime, endTime}``; ``GET .../task/{taskId}/result`` answers
  what the synchronous request would have answered (a record for a GET; for writes the emulator replays
  the synchronous answer: 204 with ``Location``, or the nsError).
* ``progress`` is ``pending`` until the job ran, then ``succeeded`` or ``failed`` (the emulator reports a
  job ``failed`` when any of its tasks failed; each task has its own progress).
* Batch: ``POST``/``PUT``/``PATCH`` on a record collection with ``Content-Type:
  application/vnd.oracle.resource+json; type=collection`` and a body ``{"items": [...]}``, or ``DELETE``
  on the collection with ``?ids=1,2,eid:X``; ``Prefer: respond-async`` is required; at most 100 records.
  One task per record. ``PUT`` items are upserts and must carry ``externalId``; ``PATCH`` items name their
  record by ``id`` (which wins) or ``externalId``.
* ``X-NetSuite-Idempotency-Key: <UUID>`` on an asynchronous request: a second request with the same key
  is refused ``400`` (title "Conflict", ``o:errorCode`` ``IDEMPOTENCY_ERROR``) with ``Location`` naming the
  first job, and nothing runs twice. The key is ignored on synchronous requests.

Jobs run on background threads of the emulator (after ``async_start_delay_seconds``), one task after the
other, at most ``async_processors`` jobs at once (NetSuite runs them in "REST Async Processors" whose number
follows the SuiteCloud Plus licences; the emulator's default of 1 + licences is an assumption), and live
in memory: a restarted emulator has forgotten its jobs and keys.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ledgerlink.sandbox.netsuite.errors import ERROR_MEDIA_TYPE, NetSuiteError, nonexistent_id

ASYNC_ROOT = "/services/rest/async/v1/job"
RECORD_ROOT = "/services/rest/record/v1"
COLLECTION_TYPE = "type=collection"
IDEMPOTENCY_HEADER = "x-netsuite-idempotency-key"
IDEMPOTENCY_DETAIL = (
    'A request with the same idempotency key is already submitted. See the "Location" header for a link '
    "to the previously submitted job"
)

Dispatch = Callable[[Any, Request, dict[str, str], bytes], Response]


@dataclass
class Task:
    id: str
    method: str
    path: str
    query: str
    body: bytes
    progress: str = "pending"
    start_time: str | None = None
    end_time: str | None = None
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes = b""
    media_type: str | None = None

    @property
    def completed(self) -> bool:
        return self.progress in ("succeeded", "failed")


@dataclass
class Job:
    id: str
    tasks: list[Task]
    idempotency_key: str | None = None
    start_time: str | None = None
    end_time: str | None = None

    @property
    def completed(self) -> bool:
        return all(task.completed for task in self.tasks)

    @property
    def progress(self) -> str:
        if not self.completed:
            return "pending"
        return "failed" if any(task.progress == "failed" for task in self.tasks) else "succeeded"


class JobStore:
    """The account's asynchronous jobs and the idempotency keys already used."""

    def __init__(self) -> None:
        self.jobs: dict[str, Job] = {}
        self.keys: dict[str, str] = {}
        self._next = 1
        self._lock = threading.Lock()

    def add(self, tasks: list[Task], key: str | None) -> tuple[Job, bool]:
        """Register a job; ``(earlier job, False)`` when ``key`` was used before."""
        with self._lock:
            if key is not None and key in self.keys:
                return self.jobs[self.keys[key]], False
            job = Job(str(self._next), tasks, key)
            self._next += 1
            self.jobs[job.id] = job
            if key is not None:
                self.keys[key] = job.id
            return job, True


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _link(rel: str, href: str) -> dict[str, str]:
    return {"rel": rel, "href": href}


def is_async(headers: dict[str, str]) -> bool:
    return "respond-async" in headers.get("prefer", "").lower()


def is_batch(headers: dict[str, str]) -> bool:
    return COLLECTION_TYPE in headers.get("content-type", "").lower().replace(" ", "")


class AsyncService:
    """Submits asynchronous requests and batches, runs them, and answers the job endpoints."""

    def __init__(self, state: Any, dispatch: Dispatch) -> None:
        self.state = state
        self.dispatch = dispatch
        self.store = JobStore()
        settings = state.settings
        processors = settings.async_processors or 1 + settings.suitecloud_plus_licenses
        self.processors = threading.BoundedSemaphore(processors)

    # -- submission -------------------------------------------------------------------------------------

    def submit(self, request: Request, headers: dict[str, str], body: bytes) -> Response:
        key = headers.get(IDEMPOTENCY_HEADER)
        if key is not None:
            try:
                uuid.UUID(key.strip())
            except ValueError:
                raise NetSuiteError(
                    400,
                    "INVALID_HEADER",
                    "The idempotency key must be a UUID.",
                    header="X-NetSuite-Idempotency-Key",
                ) from None
            key = key.strip().lower()
        path = request.url.path.rstrip("/")
        if is_batch(headers) or (request.method == "DELETE" and "ids" in request.query_params):
            tasks = self._batch_tasks(request, path, body)
        else:
            tasks = [Task("1", request.method, path, request.url.query, body)]
        job, new = self.store.add(tasks, key)
        location = f"{ASYNC_ROOT}/{job.id}"
        if not new:
            document = {
                "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.10",
                "title": "Conflict",
                "status": 400,
                "o:errorDetails": [{"detail": IDEMPOTENCY_DETAIL, "o:errorCode": "IDEMPOTENCY_ERROR"}],
            }
            headers_out = {"Location": location, "Preference-Applied": "respond-async"}
            return JSONResponse(document, status_code=400, headers=headers_out, media_type=ERROR_MEDIA_TYPE)
        thread = threading.Thread(
            target=self._run, args=(job, dict(request.scope), headers), name=f"ns-async-{job.id}", daemon=True
        )
        thread.start()
        return Response(
            status_code=202, headers={"Location": location, "Preference-Applied": "respond-async"}
        )

    def _batch_tasks(self, request: Request, path: str, body: bytes) -> list[Task]:
        if not path.startswith(RECORD_ROOT + "/") or path.count("/") != 5:
            raise NetSuiteError(
                400, "INVALID_REQUEST", "Batch operations are available on record collections only."
            )
        limit = self.state.settings.async_max_batch_items
        method = request.method
        if method == "DELETE":
            ids = [part.strip() for part in request.query_params.get("ids", "").split(",") if part.strip()]
            if not ids:
                raise NetSuiteError(
                    400, "INVALID_PARAMETER", "Name the records to delete in ids.", query_param="ids"
                )
            if len(ids) > limit:
                raise _too_many(len(ids), limit)
            return [Task(str(n), "DELETE", f"{path}/{_url_id(i)}", "", b"") for n, i in enumerate(ids, 1)]
        if method not in ("POST", "PUT", "PATCH"):
            raise NetSuiteError(405, "INVALID_REQUEST", f"The HTTP method {method} has no batch form.")
        try:
            payload = json.loads(body) if body.strip() else None
        except (ValueError, UnicodeDecodeError):
            raise NetSuiteError(400, "INVALID_CONTENT", "The batch body is not valid JSON.") from None
        items = payload.get("items") if isinstance(payload, dict) else None
        if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
            raise NetSuiteError(
                400, "INVALID_CONTENT", 'A batch body is {"items": [...]} with at least one record object.'
            )
        if len(items) > limit:
            raise _too_many(len(items), limit)
        tasks = []
        for number, item in enumerate(items, 1):
            target = path
            if method == "PUT":
                external_id = item.get("externalId")
                if not isinstance(external_id, str) or not external_id:
                    raise NetSuiteError(
                        400,
                        "INVALID_CONTENT",
                        "Each item of a batch upsert (PUT) needs an externalId.",
                        path=f"items[{number - 1}].externalId",
                    )
                target = f"{path}/eid:{quote(external_id, safe='')}"
            elif method == "PATCH":
                if item.get("id") not in (None, ""):
                    target = f"{path}/{quote(str(item['id']), safe='')}"
                elif isinstance(item.get("externalId"), str) and item["externalId"]:
                    target = f"{path}/eid:{quote(item['externalId'], safe='')}"
                else:
                    raise NetSuiteError(
                        400,
                        "INVALID_CONTENT",
                        "Each item of a batch update (PATCH) needs an id or an externalId.",
                        path=f"items[{number - 1}]",
                    )
                item = {k: v for k, v in item.items() if k != "id"}
            tasks.append(Task(str(number), method, target, request.url.query, json.dumps(item).encode()))
        return tasks

    # -- running ----------------------------------------------------------------------------------------

    def _run(self, job: Job, scope: dict[str, Any], headers: dict[str, str]) -> None:
        delay = self.state.settings.async_start_delay_seconds
        if delay:
            time.sleep(delay)
        with self.processors:
            job.start_time = _now()
            for task in job.tasks:
                self.run_task(task, scope, headers)
            job.end_time = _now()

    def run_task(self, task: Task, scope: dict[str, Any], headers: dict[str, str]) -> None:
        task.start_time = _now()
        sub_headers = {
            k: v
            for k, v in headers.items()
            if k not in ("prefer", "content-length", IDEMPOTENCY_HEADER) and k != "content-type"
        }
        sub_headers["content-type"] = "application/json"
        prefer = [p.strip() for p in headers.get("prefer", "").split(",") if p.strip()]
        kept = [p for p in prefer if p.lower() != "respond-async"]
        if kept:
            sub_headers["prefer"] = ", ".join(kept)
        request = sub_request(scope, task.method, task.path, task.query, sub_headers)
        try:
            response = self.dispatch(self.state, request, sub_headers, task.body)
        except NetSuiteError as error:
            response = error.response()
        except Exception as error:  # the job must finish even when the emulator fails
            response = NetSuiteError(
                500, "UNEXPECTED_ERROR", f"An unexpected error occurred: {error}"
            ).response()
        task.status = response.status_code
        task.content = bytes(response.body)
        task.headers = {
            k: v for k, v in response.headers.items() if k.lower() in ("location", "content-type")
        }
        task.end_time = _now()
        task.progress = "succeeded" if response.status_code < 400 else "failed"

    # -- job endpoints ----------------------------------------------------------------------------------

    def answer(self, request: Request) -> Response:
        if request.method != "GET":
            raise NetSuiteError(405, "INVALID_REQUEST", f"The HTTP method {request.method} is not supported.")
        base = str(request.base_url).rstrip("/")
        parts = request.url.path.rstrip("/")[len(ASYNC_ROOT) :].strip("/").split("/")
        job = self.store.jobs.get(parts[0]) if parts and parts[0] else None
        if job is None:
            raise nonexistent_id()
        job_url = f"{base}{ASYNC_ROOT}/{job.id}"
        if len(parts) == 1:
            document: dict[str, Any] = {
                "links": [_link("self", job_url)],
                "completed": job.completed,
                "id": job.id,
                "progress": job.progress,
                "task": {"links": [_link("self", f"{job_url}/task")]},
            }
            if job.start_time:
                document["startTime"] = job.start_time
            if job.end_time and job.completed:
                document["endTime"] = job.end_time
            return JSONResponse(document)
        if parts[1] != "task":
            raise nonexistent_id()
        if len(parts) == 2:
            items = [{"links": [_link("self", f"{job_url}/task/{t.id}")], "id": t.id} for t in job.tasks]
            document = {
                "links": [_link("self", f"{job_url}/task")],
                "count": len(items),
                "hasMore": False,
                "items": items,
                "offset": 0,
                "totalResults": len(items),
            }
            return JSONResponse(document)
        task = next((t for t in job.tasks if t.id == parts[2]), None)
        if task is None or len(parts) > 4 or (len(parts) == 4 and parts[3] != "result"):
            raise nonexistent_id()
        task_url = f"{job_url}/task/{task.id}"
        if len(parts) == 3:
            document = {
                "links": [_link("related", f"{task_url}/result"), _link("self", task_url)],
                "completed": task.completed,
                "id": task.id,
                "progress": task.progress,
            }
            if task.start_time:
                document["startTime"] = task.start_time
            if task.end_time:
                document["endTime"] = task.end_time
            return JSONResponse(document)
        if not task.completed:
            raise NetSuiteError(400, "INVALID_REQUEST", "The task has not completed yet; poll the job.")
        return Response(
            content=task.content,
            status_code=task.status,
            headers={k: v for k, v in task.headers.items() if k.lower() == "location"},
            media_type=task.headers.get("content-type"),
        )


def sub_request(
    scope: dict[str, Any], method: str, path: str, query: str, headers: dict[str, str]
) -> Request:
    """A Starlette request for one in-process sub-request, on the same host as ``scope``."""
    raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    host = next((v for k, v in scope.get("headers", []) if k == b"host"), None)
    if host is not None:
        raw.append((b"host", host))
    sub = {
        **scope,
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "headers": raw,
    }
    return Request(sub)


def query_string(params: dict[str, str]) -> str:
    return urlencode(params)


def _url_id(raw: str) -> str:
    if raw.startswith("eid:"):
        return "eid:" + quote(raw[4:], safe="")
    return quote(raw, safe="")


def _too_many(count: int, limit: int) -> NetSuiteError:
    return NetSuiteError(
        400,
        "INVALID_CONTENT",
        f"A batch request may carry at most {limit} records; this one has {count}.",
    )
