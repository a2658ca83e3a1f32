"""The chaos harness's own judgement, without processes: what it counts as lost, duplicated, different
or stuck, and that what it sends would be accepted by the real receiver."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

from tests.chaos.harness import (
    ChaosPlan,
    ChaosReport,
    SalesOrder,
    StoreOrder,
    _external_for_job,
    compare,
    order_external_id,
    woo_signature,
)

from ledgerlink.connectors.woocommerce.webhooks import verify_signature
from ledgerlink.sandbox.netsuite.faults import Fault


def order(store: str, order_id: str, total: str, status: str = "processing") -> StoreOrder:
    return StoreOrder(store, order_id, status, Decimal(total), frozenset({"SKU-0001"}))


def test_compare_names_lost_duplicated_different_and_stray_sales_orders() -> None:
    orders = [order("woo", "1", "10.00"), order("woo", "2", "20.00"), order("woo", "3", "30.00")]
    syncable = {o.external_id: o for o in [*orders, order("ct", "x-y", "5.50")]}
    held = [
        SalesOrder("100", "woo-order-1", Decimal("10.00")),
        SalesOrder("101", "woo-order-2", Decimal("20.00")),
        SalesOrder("102", "woo-order-2", Decimal("20.00")),
        SalesOrder("103", "woo-order-3", Decimal("30.01")),
        SalesOrder("104", "woo-order-9", Decimal("1.00")),  # an order that must not sync
        SalesOrder("7", None, Decimal("99.00")),  # was in the account before the run
    ]
    v = compare(syncable, held, before={"7"})
    assert v.expected == 4 and v.found == 3
    assert v.lost == ["ct-order-x-y"]
    assert v.duplicated == ["woo-order-2"]
    assert v.mismatched == [("woo-order-3", "30.00", "30.01")]
    assert v.unexpected == ["woo-order-9 (internal id 104)"]
    assert not v.agrees
    assert compare(syncable, [*held[:2], held[3]], before=set()).lost == ["ct-order-x-y"]


def test_a_clean_run_has_no_problems_and_any_shortfall_is_named(tmp_path: Path) -> None:
    report = ChaosReport(ChaosPlan.short(), tmp_path, kills=Counter(worker=8, scheduler=2),
                         faults=Counter({"5xx 503": 4, "lost_response 504": 2, "timeout": 1, "429": 9}),
                         netsuite_requests_during_chaos=160, drained_after=4.0, unknown_sku_orders=3,
                         retry_orders=3, retry_replayed=3, retry_listed_jobs=3, retry_exit=0)  # fmt: skip
    assert report.problems() == [] and report.ok
    assert "RESULT: the engine recovered by itself" in report.render()
    assert f"{16 / 160:.1%}" in report.render()

    report.stuck = ["job 5 orders.sync:orders:woo->netsuite 12 running"]
    report.error_queue = Counter(SKU_NOT_FOUND=3, REMOTE_UNAVAILABLE=1)
    report.retry_replayed = 2
    report.drained_after = None
    report.retry_exit = 1
    report.retry_output = (
        "Retrying 3 job(s).\nTraceback\nIntegrityError: duplicate key\nDETAIL:  Key x\n[SQL: ...]"
    )
    problems = "\n".join(report.problems())
    assert "1 job(s) stuck" in problems and "REMOTE_UNAVAILABLE" in problems
    assert "replayed 2 of 3" in problems and "not drained" in problems
    assert "errors retry` exited with 1: IntegrityError: duplicate key / DETAIL:  Key x" in problems
    assert "RESULT: FAILED" in report.render()


def test_a_run_without_kills_or_with_a_fault_kind_missing_does_not_count(tmp_path: Path) -> None:
    report = ChaosReport(ChaosPlan.short(), tmp_path, faults=Counter({"5xx 500": 3}), drained_after=1.0)
    problems = report.problems()
    assert any("0 kills" in p for p in problems)
    assert {p for p in problems if p.startswith("no ")} == {
        "no lost_response fault was injected",
        "no timeout fault was injected",
        "no 429 fault was injected",
    }


def test_external_ids_follow_the_connection_kind_id_rule() -> None:
    assert order_external_id("ct", "6efb2ed3-eb74-4ead") == "ct-order-6efb2ed3-eb74-4ead"
    assert order_external_id("magento", "00/12 a") == "magento-order-00_12_a"
    assert _external_for_job({"flow": "orders:magento->netsuite", "record_key": "17"}) == "magento-order-17"
    assert order("woo", "5", "1.00", status="pending").synced_status is False
    assert StoreOrder("ct", "a", "Confirmed", Decimal(1), frozenset()).synced_status


def test_the_tag_in_a_fault_path_changes_nothing_it_matches() -> None:
    tagged = Fault(method="PUT", path="/record/v1/(?#chaos:3)", kind="lost_response")
    assert tagged.matches("PUT", "/services/rest/record/v1/salesOrder/eid:woo-order-1")
    assert not tagged.matches("POST", "/services/rest/query/v1/suiteql")
    assert Fault(path="(?#chaos:0)").matches("GET", "/services/rest/query/v1/suiteql")


def test_the_echoed_delivery_is_signed_as_the_receiver_verifies() -> None:
    body = b'{"id":42,"status":"processing"}'
    verify_signature("whsec-test", body, woo_signature("whsec-test", body))  # raises when it does not match
