"""NetSuite failures become Problems: the right code, severity and team, useful and secret-free details."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from email.utils import formatdate
from typing import Any

import httpx
import pytest

from ledgerlink.connectors.http_answers import retry_after_seconds
from ledgerlink.connectors.netsuite.client import NetSuiteClient, RateLimitRetry
from ledgerlink.connectors.netsuite.errors import NsError
from ledgerlink.engine.problems import Code, Problem, ProblemError, Severity, Team


async def failing_get(client: NetSuiteClient) -> Problem:
    with pytest.raises(ProblemError) as raised:
        await client.get("customer", "42")
    return raised.value.problem


@pytest.mark.parametrize(
    ("status", "code", "expected", "team"),
    [
        (401, "INVALID_LOGIN", Code.AUTH_FAILED, Team.INTEGRATION),
        (401, "", Code.AUTH_FAILED, Team.INTEGRATION),
        (403, "INSUFFICIENT_PERMISSION", Code.PERMISSION_DENIED, Team.INTEGRATION),
        (400, "INSUFFICIENT_PERMISSION", Code.PERMISSION_DENIED, Team.INTEGRATION),
        (404, "NONEXISTENT_ID", Code.RECORD_NOT_FOUND, Team.OPERATIONS),
        (400, "USER_ERROR", Code.VALIDATION_FAILED, Team.OPERATIONS),
        (400, "INVALID_CONTENT", Code.VALIDATION_FAILED, Team.OPERATIONS),
        (400, "INVALID_PARAMETER", Code.VALIDATION_FAILED, Team.OPERATIONS),
        (400, "INVALID_REQUEST", Code.VALIDATION_FAILED, Team.OPERATIONS),
        (400, "INVALID_ID", Code.VALIDATION_FAILED, Team.OPERATIONS),
        (400, "DUP_RCRD", Code.DUPLICATE_RECORD, Team.OPERATIONS),
        (400, "INVALID_KEY_OR_REF", Code.INVALID_REFERENCE, Team.OPERATIONS),
        (302, "", Code.REMOTE_ERROR, Team.INTEGRATION),
    ],
)
async def test_permanent_failures(
    client: NetSuiteClient, fake: Any, status: int, code: str, expected: Code, team: Team
) -> None:
    fake.answer(fake.error(status, code, f"NetSuite says {code or status}."))
    problem = await failing_get(client)
    assert problem.code == expected
    assert problem.severity is Severity.PERMANENT
    assert problem.team is team
    assert problem.details["status"] == status
    assert problem.details["method"] == "GET"
    assert problem.details["path"] == "/services/rest/record/v1/customer/42"
    if code:
        assert problem.details["error_codes"] == [code]
        assert f"NetSuite says {code}." in problem.why
    assert len(fake.requests) == 1  # never retried inside the client


async def test_not_found_names_the_record(client: NetSuiteClient, fake: Any) -> None:
    fake.answer(fake.error(404, "NONEXISTENT_ID", "The record instance does not exist.", title="Not Found"))
    problem = await failing_get(client)
    assert problem.what == "NetSuite has no customer 42"


async def test_auth_failure_says_which_credentials_to_check_without_showing_them(
    client: NetSuiteClient, fake: Any
) -> None:
    fake.answer(fake.error(401, "INVALID_LOGIN", "Invalid login attempt.", title="Unauthorized"))
    problem = await failing_get(client)
    for name in ("consumer_key", "consumer_secret", "token_id", "token_secret"):
        assert name in problem.fix
    dumped = json.dumps(problem.as_dict())
    assert not any(secret in dumped for secret in fake.secrets)


async def test_invalid_reference_names_the_field_and_the_bad_value(client: NetSuiteClient, fake: Any) -> None:
    fake.answer(
        fake.error(
            400,
            "INVALID_KEY_OR_REF",
            "Error while accessing a resource. You have entered an Invalid Field Value 999 for the "
            "following field: item",
            path="item.items[1].item",
        )
    )
    body = {"item": {"items": [{"item": {"id": "88"}}, {"item": {"id": "999"}}]}}
    with pytest.raises(ProblemError) as raised:
        await client.create("salesOrder", body)
    problem = raised.value.problem
    assert problem.code == Code.INVALID_REFERENCE
    assert "item.items[1].item" in problem.what
    assert "999" in problem.why
    assert problem.fix.startswith("Create it in NetSuite or correct the mapping")
    assert problem.details["field"] == "item.items[1].item"
    assert problem.details["value"] == "999"


async def test_invalid_reference_without_a_path_reads_netsuite_wording(
    client: NetSuiteClient, fake: Any
) -> None:
    fake.answer(
        fake.error(400, "INVALID_KEY_OR_REF", "Invalid Field Value 12 for the following field: currency")
    )
    with pytest.raises(ProblemError) as raised:
        await client.create("salesOrder", {"currency": {"id": "12"}})
    assert raised.value.problem.details["field"] == "currency"
    assert raised.value.problem.details["value"] == "12"


async def test_a_duplicate_external_id_is_a_duplicate_record(client: NetSuiteClient, fake: Any) -> None:
    fake.answer(fake.error(400, "USER_ERROR", "A record with the external ID woo-1001 already exists."))
    with pytest.raises(ProblemError) as raised:
        await client.create("salesOrder", {"externalId": "woo-1001"})
    assert raised.value.problem.code == Code.DUPLICATE_RECORD


@pytest.mark.parametrize(
    ("answer", "retry_after"),
    [
        (httpx.Response(500, json={"title": "Internal Server Error", "status": 500}), None),
        (
            httpx.Response(503, headers={"Retry-After": "120"}, text="<html>Scheduled maintenance</html>"),
            120.0,
        ),
        (httpx.Response(502, text=""), None),
    ],
)
async def test_server_failures_are_transient(
    client: NetSuiteClient, fake: Any, answer: httpx.Response, retry_after: float | None
) -> None:
    fake.answer(answer)
    problem = await failing_get(client)
    assert problem.code == Code.REMOTE_UNAVAILABLE
    assert problem.severity is Severity.TRANSIENT
    assert problem.team is Team.VENDOR
    assert problem.retry_after == retry_after
    if answer.status_code == 503:
        assert problem.details["response_snippet"] == "<html>Scheduled maintenance</html>"
    assert len(fake.requests) == 1


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(429, text="Too Many Requests"),
        httpx.Response(429, json={"unexpected": "shape"}),
        "CONCURRENCY_LIMIT_EXCEEDED",
        "SSS_REQUEST_LIMIT_EXCEEDED",
        "WS_CONCUR_SESSION_DISALLWD",
        "WS_REQUEST_BLOCKED",
    ],
)
async def test_every_form_of_too_many_requests_is_rate_limited_and_retried(
    client: NetSuiteClient, fake: Any, sleeps: list[float], answer: httpx.Response | str
) -> None:
    if isinstance(answer, str):
        rejection = fake.error(400, answer, "Concurrent request limit exceeded. Request blocked.")
    else:
        rejection = answer
    fake.otherwise = lambda request: rejection
    problem = await failing_get(client)
    assert problem.code == Code.RATE_LIMITED
    assert problem.severity is Severity.TRANSIENT
    assert problem.details["attempts"] == 4
    assert len(fake.requests) == 4  # the first try and three retries
    assert len(sleeps) == 3
    assert all(0 < wait <= RateLimitRetry().cap_seconds for wait in sleeps)


async def test_429_with_retry_after_is_waited_out_then_succeeds(
    client: NetSuiteClient, fake: Any, sleeps: list[float]
) -> None:
    fake.answer(
        httpx.Response(429, headers={"Retry-After": "2"}, text="Too Many Requests"),
        fake.no_content(fake.record_url("salesOrder", "77")),
    )
    assert await client.create("salesOrder", {"externalId": "woo-77"}) == "77"
    assert len(fake.requests) == 2
    assert len(sleeps) == 1 and 2 <= sleeps[0] <= 2.5
    nonces = {fake.oauth_params(request)["oauth_nonce"] for request in fake.requests}
    assert len(nonces) == 2  # the retry was signed again


async def test_concurrency_rejection_in_a_400_is_retried_then_succeeds(
    client: NetSuiteClient, fake: Any, sleeps: list[float]
) -> None:
    fake.answer(
        fake.error(400, "CONCURRENCY_LIMIT_EXCEEDED", "Concurrent request limit exceeded. Request blocked."),
        fake.json({"id": "42"}),
    )
    assert await client.get("customer", "42") == {"id": "42"}
    assert len(sleeps) == 1


async def test_retry_after_as_an_http_date(client: NetSuiteClient, fake: Any, clock: Any) -> None:
    later = formatdate(clock.now + 30, usegmt=True)
    fake.otherwise = lambda request: httpx.Response(429, headers={"Retry-After": later})
    problem = await failing_get(client)
    assert problem.retry_after == 30.0
    assert len(fake.requests) == 1  # 30 s is longer than the client waits; the engine parks the job


async def test_a_long_retry_after_goes_straight_to_the_engine(
    client: NetSuiteClient, fake: Any, sleeps: list[float]
) -> None:
    fake.answer(httpx.Response(429, headers={"Retry-After": "300"}))
    problem = await failing_get(client)
    assert problem.code == Code.RATE_LIMITED
    assert problem.retry_after == 300.0
    assert sleeps == []
    assert problem.details["attempts"] == 1


async def test_a_timed_out_create_is_transient_and_not_repeated(
    client: NetSuiteClient, fake: Any, sleeps: list[float]
) -> None:
    fake.answer(httpx.ReadTimeout("timed out"))  # a second POST would hit the fake's "unexpected request"
    with pytest.raises(ProblemError) as raised:
        await client.create("salesOrder", {"externalId": "woo-5"})
    problem = raised.value.problem
    assert problem.code == Code.REMOTE_UNAVAILABLE
    assert problem.severity is Severity.TRANSIENT
    assert problem.details["maybe_applied"] is True
    assert problem.details["error"] == "ReadTimeout"
    assert "may still have carried out" in problem.why
    assert len(fake.requests) == 1
    assert sleeps == []


async def test_a_refused_connection_is_transient_and_known_not_applied(
    client: NetSuiteClient, fake: Any
) -> None:
    fake.answer(httpx.ConnectError("connection refused"))
    with pytest.raises(ProblemError) as raised:
        await client.create("salesOrder", {"externalId": "woo-5"})
    problem = raised.value.problem
    assert problem.code == Code.REMOTE_UNAVAILABLE
    assert problem.transient
    assert problem.details["maybe_applied"] is False


async def test_details_show_what_was_sent_without_personal_data_or_secrets(
    client: NetSuiteClient, fake: Any
) -> None:
    fake.answer(fake.error(400, "USER_ERROR", "Please enter a value for Subsidiary.", path="subsidiary"))
    body = {"externalId": "woo-c-9", "email": "jane.doe@example.com", "firstName": "Jane", "lastName": "Doe"}
    with pytest.raises(ProblemError) as raised:
        await client.create("customer", body)
    problem = raised.value.problem
    assert problem.details["fields_sent"] == ["email", "externalId", "firstName", "lastName"]
    assert problem.details["error_paths"] == ["subsidiary"]
    assert problem.details["detail"] == "Please enter a value for Subsidiary."
    dumped = json.dumps(problem.as_dict()) + str(raised.value)
    assert "jane.doe@example.com" not in dumped and "Doe" not in dumped
    assert not any(secret in dumped for secret in fake.secrets)
    assert "OAuth" not in dumped and "oauth_" not in dumped


async def test_suiteql_failures_show_the_query_with_literals_redacted(
    client: NetSuiteClient, fake: Any
) -> None:
    fake.answer(
        fake.error(400, "INVALID_PARAMETER", "Invalid search query. Detailed unprocessed description.")
    )
    with pytest.raises(ProblemError) as raised:
        await client.suiteql_page("SELECT id FROM customer WHERE email = 'jane.doe@example.com'")
    details = raised.value.problem.details
    assert details["query"] == "SELECT id FROM customer WHERE email = '?'"
    assert "jane.doe" not in json.dumps(details)


def test_rate_limit_delays_are_jittered_capped_and_honour_retry_after() -> None:
    policy = RateLimitRetry(attempts=3, base_seconds=1.0, cap_seconds=15.0)
    rng = random.Random(3)
    for attempt, step in ((1, 1.0), (2, 2.0), (3, 4.0)):
        waits = {policy.delay(attempt, None, rng) for _ in range(50)}
        assert all(w is not None and step / 2 <= w <= step for w in waits)
        assert len(waits) > 1  # jitter
    assert all((policy.delay(1, 7.0, rng) or 0) >= 7.0 for _ in range(50))
    assert policy.delay(1, 15.0, rng) == 15.0
    assert policy.delay(1, 16.0, rng) is None
    assert policy.delay(4, None, rng) is None


def test_retry_after_seconds(clock: Any) -> None:
    assert retry_after_seconds("3", clock.now) == 3.0
    assert retry_after_seconds(" 1.5 ", clock.now) == 1.5
    assert retry_after_seconds("-5", clock.now) == 0.0
    assert retry_after_seconds(formatdate(clock.now + 90, usegmt=True), clock.now) == 90.0
    assert retry_after_seconds(formatdate(clock.now - 90, usegmt=True), clock.now) == 0.0
    assert retry_after_seconds("soon", clock.now) is None
    assert retry_after_seconds("nan", clock.now) is None
    assert retry_after_seconds(None, clock.now) is None


def test_ns_error_parses_every_field_and_tolerates_other_bodies() -> None:
    body = {
        "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",
        "title": "Bad Request",
        "status": 400,
        "o:errorDetails": [
            {"detail": "first", "o:errorCode": "invalid_content", "o:errorPath": "item.items[0].quantity"},
            {"detail": "second", "o:errorCode": "INVALID_PARAMETER", "o:errorQueryParam": "limit"},
        ],
    }
    error = NsError.parse(json.dumps(body))
    assert error is not None
    assert error.codes == ["INVALID_CONTENT", "INVALID_PARAMETER"]
    assert error.text == "first | second"
    assert error.details[0].path == "item.items[0].quantity"
    assert error.details[1].query_param == "limit"
    assert NsError.parse(b"<html></html>") is None
    assert NsError.parse(b"[]") is None
    assert NsError.parse(b'{"id": "1"}') is None


async def test_governor_hears_about_rate_limits(
    make_client: Callable[..., NetSuiteClient], fake: Any, sleeps: list[float]
) -> None:
    fake.answer(httpx.Response(429, headers={"Retry-After": "1"}), fake.json({"id": "1"}))
    async with make_client() as client:
        await client.get("customer", "1")
        governor: Any = client.governor
        assert governor.rate_limited == 1
        assert governor.last_retry_after == 1.0
