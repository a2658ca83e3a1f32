"""Which answers concern a whole connection (and so open an incident) and which only their request."""

from __future__ import annotations

import httpx
import pytest

from ledgerlink.connectors.magento.errors import problem_for_response as magento_problem
from ledgerlink.connectors.netsuite.errors import RequestInfo, problem_from_response
from ledgerlink.connectors.woocommerce.errors import problem_for_response as woo_problem
from ledgerlink.engine.incidents import concerns_connection
from ledgerlink.engine.problems import Code, Problem
from ledgerlink.sandbox.netsuite.governance import MAINTENANCE_DETAIL


def answer(status: int, body: object, url: str = "https://shop.test/wp-json/wc/v3/orders") -> httpx.Response:
    return httpx.Response(status, json=body, request=httpx.Request("POST", url))


def netsuite(status: int, code: str, detail: str) -> Problem:
    body = {"title": "Service Unavailable", "status": status,
            "o:errorDetails": [{"detail": detail, "o:errorCode": code}]}  # fmt: skip
    response = answer(status, body, "https://1-sb1.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql")
    info = RequestInfo("POST", "/services/rest/query/v1/suiteql", query="SELECT id FROM currency")
    return problem_from_response(response, info, now=0.0).problem


def test_a_netsuite_maintenance_window_concerns_the_connection() -> None:
    problem = netsuite(503, "SERVICE_UNAVAILABLE", MAINTENANCE_DETAIL)
    assert problem.code == Code.REMOTE_MAINTENANCE and problem.transient
    assert problem.what == "NetSuite is in a maintenance window" and concerns_connection(problem)


def test_a_netsuite_503_without_maintenance_stays_the_requests() -> None:
    problem = netsuite(503, "SERVICE_UNAVAILABLE", "The service is temporarily unavailable. Try again later.")
    assert problem.code == Code.REMOTE_UNAVAILABLE and not concerns_connection(problem)


def test_refused_netsuite_credentials_concern_the_connection() -> None:
    assert concerns_connection(netsuite(401, "INVALID_LOGIN", "Invalid login attempt."))


@pytest.mark.parametrize(
    ("message", "connection_level"),
    [
        ("Consumer secret is invalid.", True),
        ("Sorry, you cannot list resources.", True),
        ("The API key provided does not have write permissions.", False),  # a read-only key that writes
    ],
)
def test_woocommerce_refusals(message: str, connection_level: bool) -> None:
    body = {"code": "woocommerce_rest_authentication_error", "message": message, "data": {"status": 401}}
    problem = woo_problem(answer(401, body), scheme="oauth1").problem
    assert problem.code == Code.AUTH_FAILED
    assert concerns_connection(problem) is connection_level


@pytest.mark.parametrize(
    ("body", "connection_level"),
    [
        ({"message": "The consumer isn't authorized to access %resources.",
          "parameters": {"resources": "Magento_Sales::ship"}}, False),  # an ACL resource it lacks
        ({"message": "The signature is invalid. Verify and try again."}, True),
    ],
)  # fmt: skip
def test_magento_refusals(body: dict[str, object], connection_level: bool) -> None:
    refused = answer(401, body, "https://m.test/rest/default/V1/orders")
    problem = magento_problem(refused, scheme="oauth1").problem
    assert problem.code == Code.AUTH_FAILED
    assert concerns_connection(problem) is connection_level
