"""The REST client: what it sends, and how each kind of answer becomes a problem."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from ledgerlink.connectors.woocommerce.client import WooCommerceClient
from ledgerlink.engine.problems import Code, ProblemError, Severity, Team

CONSUMER_KEY = "ck_4f1d2c3b4a5968778695a4b3c2d1e0f9a8b7c6d5"
CONSUMER_SECRET = "cs_9e8d7c6b5a4938271605f4e3d2c1b0a9f8e7d6c5"


def client_answering(
    connection: Any, answer: httpx.Response | Exception, base_url: str = "https://shop.test", **options: Any
) -> WooCommerceClient:
    def handle(request: httpx.Request) -> httpx.Response:
        if isinstance(answer, Exception):
            raise answer
        return answer

    return WooCommerceClient(connection(base_url, **options), transport=httpx.MockTransport(handle))


async def problem_from(client: WooCommerceClient, call: str = "get_order") -> ProblemError:
    with pytest.raises(ProblemError) as caught:
        if call == "get_order":
            await client.get_order(727)
        else:
            await client.create_webhook("Ledgerlink order.updated", "order.updated", "https://x.test/h", "s")
    await client.aclose()
    return caught.value


async def test_list_orders_sends_gmt_flag_and_utc_times(connection: Any) -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[{"id": 1}], headers={"X-WP-Total": "101", "X-WP-TotalPages": "2"})

    client = WooCommerceClient(connection("https://shop.test"), transport=httpx.MockTransport(handle))
    berlin = timezone(timedelta(hours=1))
    page = await client.list_orders(
        modified_after=datetime(2026, 11, 3, 10, 0, 0, tzinfo=berlin),
        modified_before=datetime(2026, 11, 3, 9, 15, 30, 250000, tzinfo=UTC),
        page=2,
    )
    await client.aclose()
    params = seen[0].url.params
    assert seen[0].url.path == "/wp-json/wc/v3/orders"
    assert params["dates_are_gmt"] == "true"
    assert params["modified_after"] == "2026-11-03T09:00:00"
    assert params["modified_before"] == "2026-11-03T09:15:30"
    assert (params["orderby"], params["order"], params["page"], params["per_page"]) == (
        "id",
        "asc",
        "2",
        "100",
    )
    assert "status" not in params
    assert (page.items, page.total, page.total_pages) == ([{"id": 1}], 101, 2)


async def test_naive_times_are_refused_rather_than_read_as_site_time(connection: Any) -> None:
    client = client_answering(connection, httpx.Response(200, json=[]))
    with pytest.raises(ValueError, match="time zone"):
        await client.list_orders(modified_after=datetime(2026, 1, 1), modified_before=None, page=1)
    await client.aclose()


async def test_missing_paging_headers_are_a_bad_response(connection: Any) -> None:
    client = client_answering(connection, httpx.Response(200, json=[]))
    with pytest.raises(ProblemError) as caught:
        await client.list_orders(modified_after=None, modified_before=None, page=1)
    await client.aclose()
    assert caught.value.problem.code == Code.BAD_RESPONSE
    assert "X-WP-Total" in caught.value.problem.why


def woo(status: int, code: str, message: str, data: Any = None, **headers: str) -> httpx.Response:
    body = {"code": code, "message": message, "data": {"status": status} if data is None else data}
    return httpx.Response(status, json=body, headers=headers)


HTML_WAF = httpx.Response(
    403, text="<html><head><title>Attention Required! | Cloudflare</title></head></html>", headers={}
)


@pytest.mark.parametrize(
    ("answer", "code", "severity", "team", "mentions"),
    [
        (
            woo(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
            Code.AUTH_FAILED,
            Severity.PERMANENT,
            Team.INTEGRATION,
            "unknown",
        ),
        (
            woo(401, "woocommerce_rest_authentication_error", "Consumer secret is invalid."),
            Code.AUTH_FAILED,
            Severity.PERMANENT,
            Team.INTEGRATION,
            "consumer secret",
        ),
        (
            woo(
                401,
                "woocommerce_rest_authentication_error",
                "The API key provided does not have write permissions.",
            ),
            Code.AUTH_FAILED,
            Severity.PERMANENT,
            Team.INTEGRATION,
            "read_write",
        ),
        (
            woo(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID."),
            Code.RECORD_NOT_FOUND,
            Severity.PERMANENT,
            Team.OPERATIONS,
            "Invalid ID.",
        ),
        (
            woo(404, "rest_no_route", "No route was found matching the URL and request method."),
            Code.CONFIG_INVALID,
            Severity.PERMANENT,
            Team.INTEGRATION,
            "base_url",
        ),
        (
            woo(400, "rest_invalid_param", "Invalid parameter(s): per_page"),
            Code.VALIDATION_FAILED,
            Severity.PERMANENT,
            Team.OPERATIONS,
            "Invalid parameter(s): per_page",
        ),
        (
            woo(413, "woocommerce_rest_request_entity_too_large", "Unable to accept more than 100 items."),
            Code.VALIDATION_FAILED,
            Severity.PERMANENT,
            Team.INTEGRATION,
            "batch too large",
        ),
        (
            woo(429, "too_many_requests", "Slow down", **{"Retry-After": "7"}),
            Code.RATE_LIMITED,
            Severity.TRANSIENT,
            Team.VENDOR,
            "429",
        ),
        (
            httpx.Response(503, text="<html>Service Unavailable</html>"),
            Code.REMOTE_UNAVAILABLE,
            Severity.TRANSIENT,
            Team.VENDOR,
            "HTML page",
        ),
        (
            woo(500, "internal_server_error", "There has been a critical error on this website."),
            Code.REMOTE_UNAVAILABLE,
            Severity.TRANSIENT,
            Team.VENDOR,
            "critical error",
        ),
        (
            woo(500, "woocommerce_rest_cannot_create_order_refund", "Refund failed.", data=500),
            Code.REMOTE_ERROR,
            Severity.PERMANENT,
            Team.OPERATIONS,
            "Refund failed.",
        ),
        (HTML_WAF, Code.BAD_RESPONSE, Severity.PERMANENT, Team.INTEGRATION, "firewall"),
        (
            httpx.Response(
                200, text='<br />\n<b>Notice</b>: Undefined index: x in /wp/a.php<br />\n{"id": 727}'
            ),
            Code.BAD_RESPONSE,
            Severity.PERMANENT,
            Team.INTEGRATION,
            "PHP notice",
        ),
        (
            httpx.Response(301, headers={"Location": "https://www.shop.test/wp-json/wc/v3/orders/727?x=1"}),
            Code.CONFIG_INVALID,
            Severity.PERMANENT,
            Team.INTEGRATION,
            "https://www.shop.test/wp-json/wc/v3/orders/727",
        ),
    ],
)
async def test_answers_become_problems(
    connection: Any, answer: httpx.Response, code: str, severity: Severity, team: Team, mentions: str
) -> None:
    problem = (await problem_from(client_answering(connection, answer))).problem
    assert (problem.code, problem.severity, problem.team) == (code, severity, team)
    text = " ".join([problem.what, problem.why, problem.fix])
    assert mentions.lower() in text.lower()
    assert problem.details["method"] == "GET"
    assert problem.details["path"] == "/wp-json/wc/v3/orders/727"
    assert problem.details["status"] == answer.status_code
    if code == Code.RATE_LIMITED:
        assert problem.retry_after == 7
    assert CONSUMER_KEY not in str(problem.as_dict()) and CONSUMER_SECRET not in str(problem.as_dict())


async def test_woocommerce_code_is_kept_in_details(connection: Any) -> None:
    answer = woo(400, "woocommerce_rest_invalid_sku", "Invalid or duplicated SKU.")
    problem = (await problem_from(client_answering(connection, answer), "create_webhook")).problem
    assert problem.details == {
        "method": "POST",
        "path": "/wp-json/wc/v3/webhooks",
        "status": 400,
        "code": "woocommerce_rest_invalid_sku",
    }


async def test_retry_after_as_http_date(connection: Any) -> None:
    later = (datetime.now(UTC) + timedelta(seconds=120)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    problem = (
        await problem_from(client_answering(connection, woo(429, "x", "y", **{"Retry-After": later})))
    ).problem
    assert problem.retry_after is not None and 100 < problem.retry_after <= 120


async def test_oauth_signature_rejection_points_at_base_url_and_clock(connection: Any) -> None:
    answer = woo(
        401, "woocommerce_rest_authentication_error", "Invalid signature - provided signature does not match."
    )
    problem = (await problem_from(client_answering(connection, answer, "http://shop.test"))).problem
    assert problem.code == Code.AUTH_FAILED
    assert "base_url" in problem.fix and "clock" in problem.fix


@pytest.mark.parametrize(
    "error",
    [
        httpx.ReadTimeout("read timed out"),
        httpx.ConnectError("connection refused"),
        httpx.RemoteProtocolError("x"),
    ],
)
async def test_no_answer_is_transient(connection: Any, error: Exception) -> None:
    problem = (await problem_from(client_answering(connection, error))).problem
    assert (problem.code, problem.severity) == (Code.REMOTE_UNAVAILABLE, Severity.TRANSIENT)
    assert problem.details["path"] == "/wp-json/wc/v3/orders/727"


async def test_writes_are_refused_locally_when_switched_off(connection: Any) -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={})

    client = WooCommerceClient(
        connection("https://shop.test", allow_writes=False), transport=httpx.MockTransport(handle)
    )
    problem = await problem_from(client, "create_webhook")
    assert problem.problem.code == Code.CONFIG_INVALID and "allow_writes" in problem.problem.fix
    assert seen == []


async def test_requests_in_flight_never_exceed_the_concurrency(connection: Any) -> None:
    in_flight = peak = 0

    async def handle(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return httpx.Response(200, json={"id": 1})

    client = WooCommerceClient(
        connection("https://shop.test", concurrency=3), transport=httpx.MockTransport(handle)
    )
    await asyncio.gather(*(client.get_order(i) for i in range(1, 13)))
    await client.aclose()
    assert peak == 3


async def test_list_webhooks_reads_every_page(connection: Any, fake_store: Any) -> None:
    for i in range(230):
        fake_store.add_webhook(name=f"hook {i}", topic="order.updated", delivery_url=f"https://x.test/{i}")
    client = WooCommerceClient(connection("https://shop.test"), transport=fake_store.transport)
    hooks = await client.list_webhooks()
    await client.aclose()
    assert [h["id"] for h in hooks] == list(range(1, 231))
    assert {r.url.params["per_page"] for r in fake_store.requests} == {"100"}
    assert {r.url.params["status"] for r in fake_store.requests} == {"all"}


async def test_find_products_by_sku_keeps_exact_matches_only(connection: Any) -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[{"id": 1, "sku": "A"}, {"id": 2, "sku": "B"}])

    client = WooCommerceClient(connection("https://shop.test"), transport=httpx.MockTransport(handle))
    assert await client.find_products_by_sku("A") == [{"id": 1, "sku": "A"}]
    await client.aclose()
    assert seen[0].url.path == "/wp-json/wc/v3/products" and seen[0].url.params["sku"] == "A"


async def test_non_numeric_ids_never_reach_the_store(connection: Any) -> None:
    client = client_answering(connection, httpx.Response(200, json={}))
    with pytest.raises(ProblemError) as caught:
        await client.get_order("../customers")
    await client.aclose()
    assert caught.value.problem.code == Code.RECORD_NOT_FOUND


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_gateway_errors_stay_transient_even_with_a_json_code(connection: Any, status: int) -> None:
    answer = woo(status, "maintenance_mode", "Briefly unavailable for scheduled maintenance.")
    problem = (await problem_from(client_answering(connection, answer))).problem
    assert (problem.code, problem.severity) == (Code.REMOTE_UNAVAILABLE, Severity.TRANSIENT)


async def test_pages_over_100_are_refused_before_asking(connection: Any) -> None:
    client = client_answering(connection, httpx.Response(200, json=[]))
    with pytest.raises(ValueError, match="per_page"):
        await client.list_orders(modified_after=None, modified_before=None, page=1, per_page=101)
    await client.aclose()
