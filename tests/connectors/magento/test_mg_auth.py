"""The client authenticates the three ways a Magento store allows, and says what to fix when refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ledgerlink.connectors.magento.auth import signed_path
from ledgerlink.connectors.magento.client import MagentoClient
from ledgerlink.connectors.magento.search import SearchCriteria
from ledgerlink.engine.problems import Code, ProblemError, Team
from ledgerlink.sandbox.magento.settings import MagentoSandboxSettings

from .conftest import BASE, Clock

pytestmark = pytest.mark.usefixtures("seeded")
ONE_PAGE = SearchCriteria(page_size=5, current_page=1)


async def test_oauth1_signed_requests_with_search_criteria_are_accepted(client: MagentoClient) -> None:
    result = await client.search_orders(ONE_PAGE)
    assert result.total_count == 30
    assert len(result.items) == 5
    assert (await client.get_order(result.items[0]["entity_id"]))["entity_id"] == result.items[0]["entity_id"]


async def test_a_wrong_secret_is_an_auth_problem_naming_the_signature(
    make_client: Callable[..., MagentoClient],
) -> None:
    client = make_client(access_token_secret="not-the-secret0000000000000000000")
    with pytest.raises(ProblemError) as raised:
        await client.search_orders(ONE_PAGE)
    problem = raised.value.problem
    assert problem.code == Code.AUTH_FAILED
    assert problem.team == Team.INTEGRATION
    assert "signature" in problem.why
    assert "Integrations" in problem.fix
    assert problem.details["status"] == 401


async def test_integration_token_as_bearer_is_refused_by_default(
    make_client: Callable[..., MagentoClient],
) -> None:
    client = make_client("bearer")
    with pytest.raises(ProblemError) as raised:
        await client.search_orders(ONE_PAGE)
    problem = raised.value.problem
    assert problem.code == Code.AUTH_FAILED
    assert "Magento_Sales::actions_view" in problem.why
    assert "enable oauth/consumer/enable_integration_as_bearer" in problem.fix
    assert "use OAuth 1.0a" in problem.fix


@pytest.mark.parametrize("settings", [MagentoSandboxSettings(base_url=BASE, allow_integration_bearer=True)])
async def test_integration_token_as_bearer_works_when_the_store_allows_it(
    make_client: Callable[..., MagentoClient],
) -> None:
    assert (await make_client("bearer").search_orders(ONE_PAGE)).total_count == 30


async def test_admin_token_is_fetched_once_and_reused(make_client: Callable[..., MagentoClient]) -> None:
    client = make_client("admin")
    for _ in range(3):
        await client.search_orders(ONE_PAGE)
    assert client.auth.tokens_issued == 1


async def test_admin_token_is_renewed_before_it_expires(make_client: Callable[..., MagentoClient]) -> None:
    client = make_client("admin")
    moment = [1000.0]
    client.auth.clock = lambda: moment[0]
    await client.search_orders(ONE_PAGE)
    moment[0] += 4 * 3600 - 60  # inside the renewal margin
    await client.search_orders(ONE_PAGE)
    assert client.auth.tokens_issued == 2


async def test_admin_token_expired_at_the_store_is_renewed_once_on_401(
    make_client: Callable[..., MagentoClient], clock: Clock
) -> None:
    client = make_client("admin")
    await client.search_orders(ONE_PAGE)
    clock.now += 4 * 3600 + 1  # the store's clock says the token is dead; ours does not know yet
    assert (await client.search_orders(ONE_PAGE)).total_count == 30
    assert client.auth.tokens_issued == 2


async def test_a_wrong_admin_password_is_an_auth_problem(make_client: Callable[..., MagentoClient]) -> None:
    client = make_client("admin", password="wrong")
    with pytest.raises(ProblemError) as raised:
        await client.search_orders(ONE_PAGE)
    problem = raised.value.problem
    assert problem.code == Code.AUTH_FAILED
    assert "admin token" in problem.what
    assert "sign-in was incorrect" in problem.why


@pytest.mark.parametrize("settings", [MagentoSandboxSettings(base_url=BASE, admin_two_factor=True)])
async def test_two_factor_stores_point_to_an_integration(make_client: Callable[..., MagentoClient]) -> None:
    with pytest.raises(ProblemError) as raised:
        await make_client("admin").search_orders(ONE_PAGE)
    problem = raised.value.problem
    assert problem.code == Code.AUTH_FAILED
    assert "two-factor" in problem.why
    assert "auth: oauth1" in problem.fix


@pytest.mark.parametrize(
    "sku", ["MH01/XS/Black", "Yoga Strap 6", "C++ Book", "Mug #2", "Größe-Ä", "Tee/ß #1+"]
)
async def test_skus_with_reserved_and_non_ascii_characters_sign_correctly(
    client: MagentoClient, sku: str
) -> None:
    """Issue 21: a real 2.4.7-p3 store checks the signature over the path with ``%2F`` decoded."""
    created = await client.put_product(sku, {"name": "Odd SKU", "price": 5, "type_id": "simple"})
    assert created["sku"] == sku
    assert (await client.get_product(sku))["sku"] == sku


def test_the_signed_path_is_magentos_normalised_path() -> None:
    assert signed_path("/rest/default/V1/products/MH01%2FXS") == "/rest/default/V1/products/MH01/XS"
    assert signed_path("/V1/products/C%2B%2B%20Book") == "/V1/products/C++%20Book"
    assert signed_path("/V1/products/Mug%20%232") == "/V1/products/Mug%20%232"
    assert signed_path("/V1/products/Gr%c3%b6%C3%9Fe") == "/V1/products/Gr%C3%B6%C3%9Fe"
    assert signed_path("/V1/products/%7Eme%2150%25") == "/V1/products/~me%2150%25"
