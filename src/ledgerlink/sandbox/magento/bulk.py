"""Asynchronous bulk operations: ``/async/bulk/V1/...`` queues one operation per body; a consumer runs them.

Path parameters are spelled as literal ``by<Name>`` segments (``products/bySku``) and read from each body
(top-level key, or the same key inside the single object the body wraps, e.g. ``product.sku``). Operation
status codes: 1 complete, 2 retriably failed, 3 failed, 4 open, 5 rejected. The ``async.operations.all``
consumer is emulated by completing queued operations at the start of each API request.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable
from typing import Any

from ledgerlink.sandbox.magento.errors import MagentoError
from ledgerlink.sandbox.magento.orders import now_text
from ledgerlink.sandbox.magento.state import StateStore

BULK = "bulk"
COMPLETE, RETRIABLY_FAILED, FAILED, OPEN, REJECTED = 1, 2, 3, 4, 5
_BY = re.compile(r"^by([A-Z][A-Za-z0-9]*)$")

Execute = Callable[[str, str, Any], tuple[int, Any]]


def _resolve(route: str, body: Any) -> str:
    """``products/bySku`` with ``{"product": {"sku": "A"}}`` -> ``products/A``."""
    parts = []
    for segment in route.strip("/").split("/"):
        match = _BY.match(segment)
        if not match:
            parts.append(segment)
            continue
        name = match.group(1)[0].lower() + match.group(1)[1:]
        value = body.get(name) if isinstance(body, dict) else None
        if value is None and isinstance(body, dict):
            value = next((v.get(name) for v in body.values() if isinstance(v, dict) and name in v), None)
        if value is None:
            raise MagentoError(400, '"%fieldName" is required. Enter and try again.', {"fieldName": name})
        parts.append(str(value))
    return "/".join(parts)


def accept(store: StateStore, method: str, route: str, bodies: Any, topic: str) -> dict[str, Any]:
    if not isinstance(bodies, list):
        raise MagentoError(400, "Request body must be a list of request objects for bulk endpoints.")
    bulk_id = str(uuid.uuid4())
    operations = []
    request_items = []
    for index, body in enumerate(bodies):
        digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        request_items.append({"id": index, "data_hash": digest, "status": "accepted"})
        operations.append(
            {
                "id": index,
                "status": OPEN,
                "result_message": None,
                "error_code": None,
                "method": method,
                "route": route,
                "body": body,
            }
        )
    record = {
        "bulk_id": bulk_id,
        "description": f"Topic {topic}",
        "start_time": now_text(),
        "user_id": 1,
        "user_type": 2,
        "operations": operations,
    }
    with store.transaction() as tx:
        tx.put(BULK, bulk_id, record)
    return {"bulk_uuid": bulk_id, "request_items": request_items, "errors": False}


def work(store: StateStore, execute: Execute, limit: int) -> int:
    """Run up to ``limit`` open operations, oldest bulk first; answers how many ran."""
    done = 0
    while done < limit:
        with store.transaction() as tx:
            pending = [
                (bulk, op) for bulk in tx.all(BULK) for op in bulk["operations"] if op["status"] == OPEN
            ]
        if not pending:
            return done
        bulk, operation = pending[0]
        try:
            status, _result = execute(
                operation["method"], _resolve(operation["route"], operation["body"]), operation["body"]
            )
            message = "Service execution success"
            code = None
        except MagentoError as error:
            status, message, code = error.status, error.text(), error.status
        with store.transaction() as tx:
            fresh = tx.get(BULK, bulk["bulk_id"])
            assert fresh is not None
            for op in fresh["operations"]:
                if op["id"] == operation["id"]:
                    op["status"] = COMPLETE if 200 <= status < 300 else FAILED
                    op["result_message"], op["error_code"] = message, code
            tx.put(BULK, fresh["bulk_id"], fresh)
        done += 1
    return done


def _load(store: StateStore, bulk_id: str) -> dict[str, Any]:
    with store.transaction() as tx:
        bulk = tx.get(BULK, bulk_id)
    if bulk is None:
        raise MagentoError(404, "Bulk uuid %bulkUuid not exist", {"bulkUuid": bulk_id})
    return bulk


def _summary(bulk: dict[str, Any], operations: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "operations_list": operations,
        "user_type": bulk["user_type"],
        "bulk_id": bulk["bulk_id"],
        "description": bulk["description"],
        "start_time": bulk["start_time"],
        "user_id": bulk["user_id"],
        "operation_count": len(bulk["operations"]),
    }


def detailed_status(store: StateStore, bulk_id: str) -> dict[str, Any]:
    """``/detailed-status``: every operation with its topic, payload and result."""
    bulk = _load(store, bulk_id)
    topic = bulk["description"].removeprefix("Topic ")
    operations = [
        {
            "id": op["id"],
            "bulk_uuid": bulk_id,
            "topic_name": topic,
            "serialized_data": json.dumps({"meta_information": json.dumps(op["body"])}),
            "result_serialized_data": None,
            "status": op["status"],
            "result_message": op["result_message"],
            "error_code": op["error_code"],
        }
        for op in bulk["operations"]
    ]
    return _summary(bulk, operations)


def operation_count(store: StateStore, bulk_id: str, wanted: int) -> int:
    """``/operation-status/{status}``: how many operations of the bulk have this status."""
    return sum(1 for op in _load(store, bulk_id)["operations"] if op["status"] == wanted)


def status(store: StateStore, bulk_id: str) -> dict[str, Any]:
    """``/status``: each operation's id, status, result message and error code."""
    bulk = _load(store, bulk_id)
    operations = [
        {
            "id": op["id"],
            "status": op["status"],
            "result_message": op["result_message"],
            "error_code": op["error_code"],
        }
        for op in bulk["operations"]
    ]
    return _summary(bulk, operations)
