"""The record types the emulator knows, and how each maps onto NetSuite's id spaces and SuiteQL tables.

NetSuite numbers records per family: every transaction type shares one internal-id sequence, every
item type another, entities a third. The REST path names the type in camelCase, but the service accepts
any case (``salesorder``), so lookups here are case-insensitive.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RecordType:
    """One REST record type."""

    name: str  # camelCase, as in the REST API Browser
    family: str  # id space and SuiteQL table: transaction, customer, item, currency, ...
    code: str | None = None  # SuiteQL "type"/"itemtype" value, e.g. SalesOrd, InvtPart
    sublists: frozenset[str] = frozenset()
    subrecords: frozenset[str] = frozenset()
    references: dict[str, str] = field(default_factory=dict)  # body field -> family or type it points at
    line_references: dict[str, str] = field(default_factory=dict)  # sublist line field -> target
    required: tuple[tuple[str, str], ...] = ()  # (field, label NetSuite shows when it is missing)
    multi_references: dict[str, str] = field(default_factory=dict)  # multi-select: {"items": [{"id"}]}


TRANSACTION_REFERENCES = {
    "entity": "customer",
    "currency": "currency",
    "subsidiary": "subsidiary",
    "location": "location",
    "shipMethod": "shipItem",
    "discountItem": "discountItem",
    "paymentMethod": "paymentMethod",
    "paymentOption": "paymentMethod",
}
TRANSACTION_LINE_REFERENCES = {
    "item": "item",
    "location": "location",
    "price": "priceLevel",
    "taxCode": "salesTaxItem",
    "account": "account",
    "entity": "customer",
}
SALES_REFERENCES = {
    **TRANSACTION_REFERENCES,
    "createdFrom": "transaction",
    "terms": "term",
    "taxItem": "salesTaxItem",
    "promoCode": "promotionCode",
    "account": "account",
    "estimate": "estimate",
}
ITEM_REFERENCES = {"location": "location", "parent": "item", "taxSchedule": "salesTaxItem"}
ITEM_LINE_REFERENCES = {
    "priceLevel": "priceLevel",
    "currencyPage": "currency",
    "location": "location",
    "item": "item",
}
ITEM_MULTI_REFERENCES = {"subsidiary": "subsidiary"}  # items may belong to several subsidiaries

_TYPES = [
    RecordType(
        "salesOrder",
        "transaction",
        "SalesOrd",
        frozenset({"item"}),
        frozenset({"billingAddress", "shippingAddress"}),
        SALES_REFERENCES,
        TRANSACTION_LINE_REFERENCES,
        (("entity", "Customer"),),
    ),
    RecordType(
        "cashSale",
        "transaction",
        "CashSale",
        frozenset({"item"}),
        frozenset({"billingAddress", "shippingAddress"}),
        SALES_REFERENCES,
        TRANSACTION_LINE_REFERENCES,
        (("entity", "Customer"),),
    ),
    *(
        RecordType(
            name,
            "transaction",
            code,
            frozenset({"item"}),
            frozenset({"billingAddress", "shippingAddress"}),
            SALES_REFERENCES,
            TRANSACTION_LINE_REFERENCES,
            (("entity", "Customer"),),
        )
        for name, code in (
            ("invoice", "CustInvc"),
            ("estimate", "Estimate"),
            ("returnAuthorization", "RtnAuth"),
            ("creditMemo", "CustCred"),
            ("cashRefund", "CashRfnd"),
        )
    ),
    RecordType(
        "itemFulfillment",
        "transaction",
        "ItemShip",
        frozenset({"item", "package", "packageUps", "packageFedex", "packageUsps"}),
        frozenset({"shippingAddress"}),
        {**TRANSACTION_REFERENCES, "createdFrom": "transaction"},
        TRANSACTION_LINE_REFERENCES,
        (("createdFrom", "Created From"),),
    ),
    RecordType(
        "itemReceipt",
        "transaction",
        "ItemRcpt",
        frozenset({"item"}),
        frozenset(),
        {**TRANSACTION_REFERENCES, "createdFrom": "transaction"},
        TRANSACTION_LINE_REFERENCES,
        (("createdFrom", "Created From"),),
    ),
    RecordType(
        "customerDeposit",
        "transaction",
        "CustDep",
        frozenset(),
        frozenset(),
        {
            "customer": "customer",
            "salesOrder": "salesOrder",
            "currency": "currency",
            "subsidiary": "subsidiary",
            "paymentOption": "paymentMethod",
            "paymentMethod": "paymentMethod",
            "account": "account",
            "location": "location",
        },
        required=(("customer", "Customer"), ("payment", "Payment Amount")),
    ),
    RecordType(
        "customerPayment",
        "transaction",
        "CustPymt",
        frozenset({"apply"}),
        frozenset(),
        {
            "customer": "customer",
            "currency": "currency",
            "subsidiary": "subsidiary",
            "paymentOption": "paymentMethod",
            "paymentMethod": "paymentMethod",
            "account": "account",
        },
        {"doc": "invoice"},
        (("customer", "Customer"), ("payment", "Payment Amount")),
    ),
    RecordType(
        "journalEntry",
        "transaction",
        "Journal",
        frozenset({"line"}),
        frozenset(),
        {"subsidiary": "subsidiary", "toSubsidiary": "subsidiary", "currency": "currency"},
        TRANSACTION_LINE_REFERENCES,
        (("subsidiary", "Subsidiary"),),
    ),
    RecordType(
        "customer",
        "customer",
        None,
        frozenset({"addressBook", "contactRoles"}),
        frozenset(),
        {
            "subsidiary": "subsidiary",
            "currency": "currency",
            "parent": "customer",
            "priceLevel": "priceLevel",
            "terms": "term",
            "taxItem": "salesTaxItem",
        },
        {"contact": "contact"},
    ),
    RecordType(
        "inventoryItem",
        "item",
        "InvtPart",
        frozenset({"price", "locations"}),
        frozenset(),
        ITEM_REFERENCES,
        ITEM_LINE_REFERENCES,
        required=(("itemId", "Item Name/Number"),),
        multi_references=ITEM_MULTI_REFERENCES,
    ),
    RecordType(
        "nonInventorySaleItem",
        "item",
        "NonInvtPart",
        frozenset({"price"}),
        frozenset(),
        ITEM_REFERENCES,
        ITEM_LINE_REFERENCES,
        required=(("itemId", "Item Name/Number"),),
        multi_references=ITEM_MULTI_REFERENCES,
    ),
    RecordType(
        "serviceSaleItem",
        "item",
        "Service",
        frozenset({"price"}),
        frozenset(),
        ITEM_REFERENCES,
        ITEM_LINE_REFERENCES,
        required=(("itemId", "Item Name/Number"),),
        multi_references=ITEM_MULTI_REFERENCES,
    ),
    RecordType(
        "otherChargeSaleItem",
        "item",
        "OthCharge",
        frozenset({"price"}),
        frozenset(),
        ITEM_REFERENCES,
        ITEM_LINE_REFERENCES,
        required=(("itemId", "Item Name/Number"),),
        multi_references=ITEM_MULTI_REFERENCES,
    ),
    RecordType(
        "discountItem",
        "item",
        "Discount",
        frozenset(),
        frozenset(),
        ITEM_REFERENCES,
        required=(("itemId", "Item Name"),),
        multi_references=ITEM_MULTI_REFERENCES,
    ),
    RecordType(
        "shipItem",
        "item",
        "ShipItem",
        frozenset(),
        frozenset(),
        ITEM_REFERENCES,
        required=(("itemId", "Shipping Item"),),
        multi_references=ITEM_MULTI_REFERENCES,
    ),
    *(
        RecordType(
            name,
            "item",
            code,
            frozenset(sublists),
            frozenset(),
            ITEM_REFERENCES,
            ITEM_LINE_REFERENCES,
            required=(("itemId", label),),
            multi_references=ITEM_MULTI_REFERENCES,
        )
        for name, code, sublists, label in (
            ("assemblyItem", "Assembly", ("price", "locations", "member"), "Item Name/Number"),
            ("kitItem", "Kit", ("price", "member"), "Item Name/Number"),
            ("giftCertificateItem", "GiftCert", ("price",), "Item Name/Number"),
            ("salesTaxItem", "TaxItem", (), "Tax Name"),
            ("nonInventoryResaleItem", "NonInvtPart", ("price",), "Item Name/Number"),
            ("serviceResaleItem", "Service", ("price",), "Item Name/Number"),
            ("otherChargeResaleItem", "OthCharge", ("price",), "Item Name/Number"),
        )
    ),
    RecordType(
        "contact",
        "contact",
        None,
        references={"company": "customer", "subsidiary": "subsidiary"},
        required=(("firstName", "First Name"), ("lastName", "Last Name")),
    ),
    RecordType("priceLevel", "pricelevel", None, required=(("name", "Price Level"),)),
    RecordType("term", "term", None, required=(("name", "Terms"),)),
    RecordType(
        "account", "account", None, references={"parent": "account"}, required=(("acctName", "Name"),)
    ),
    RecordType(
        "promotionCode",
        "promotioncode",
        None,
        references={"discount": "discountItem"},
        required=(("code", "Coupon Code"), ("discount", "Discount")),
    ),
    RecordType("currency", "currency", None, required=(("name", "Name"), ("symbol", "ISO Code"))),
    RecordType(
        "subsidiary",
        "subsidiary",
        None,
        references={"parent": "subsidiary", "currency": "currency"},
        required=(("name", "Name"),),
    ),
    RecordType(
        "location",
        "location",
        None,
        references={"subsidiary": "subsidiary", "parent": "location"},
        required=(("name", "Name"),),
    ),
    RecordType("paymentMethod", "paymentmethod", None, required=(("name", "Name"),)),
]

BY_NAME: dict[str, RecordType] = {t.name.lower(): t for t in _TYPES}
BY_CODE: dict[str, RecordType] = {}
for _type in _TYPES:  # the first type with a code wins: nonInventorySaleItem before nonInventoryResaleItem
    if _type.code:
        BY_CODE.setdefault(_type.code, _type)
FAMILIES = frozenset(t.family for t in _TYPES)
TRANSACTION_PREFIX = {
    "salesOrder": "SO",
    "cashSale": "CS",
    "invoice": "INV",
    "estimate": "EST",
    "returnAuthorization": "RMA",
    "creditMemo": "CM",
    "cashRefund": "CR",
    "itemFulfillment": "IF",
    "itemReceipt": "IR",
    "customerDeposit": "DEP",
    "customerPayment": "PYMT",
    "journalEntry": "JE",
}
# Sales transactions: entity + item lines + totals computed by the service.
SALES_TYPES = frozenset(
    {"salesOrder", "cashSale", "invoice", "estimate", "returnAuthorization", "creditMemo", "cashRefund"}
)
# Item types a fulfilment ships (the others are billed only).
FULFILLABLE_CODES = frozenset({"InvtPart", "Assembly", "Kit", "NonInvtPart"})
TRANSACTION_LABELS = {
    "salesOrder": "Sales Order",
    "cashSale": "Cash Sale",
    "invoice": "Invoice",
    "estimate": "Quote",
    "returnAuthorization": "Return Authorization",
    "creditMemo": "Credit Memo",
    "cashRefund": "Cash Refund",
    "itemFulfillment": "Item Fulfillment",
    "itemReceipt": "Item Receipt",
    "customerDeposit": "Customer Deposit",
    "customerPayment": "Payment",
    "journalEntry": "Journal",
}


def lookup(name: str) -> RecordType | None:
    """The record type for a path segment, in any letter case; None when the emulator lacks it."""
    return BY_NAME.get(name.lower())


def family_of_target(target: str) -> str:
    """Family a reference target names (a family such as ``item`` or a type such as ``shipItem``)."""
    if target in FAMILIES:
        return target
    return BY_NAME[target.lower()].family
