"""Personal data and secrets are masked in logs."""

from __future__ import annotations

from ledgerlink.logs import mask_email, mask_personal_data


def test_emails_are_masked() -> None:
    assert mask_email("customer jane.doe@example.com ordered") == "customer j***@example.com ordered"


def test_secret_keys_are_masked_and_nested_values_too() -> None:
    event = {
        "event": "x",
        "consumer_secret": "cs_123",
        "details": {"email": "bob@shop.test", "token_id": "t"},
    }
    masked = mask_personal_data(None, "info", event)
    assert masked["consumer_secret"] == "**********"
    assert masked["details"] == {"email": "b***@shop.test", "token_id": "**********"}
