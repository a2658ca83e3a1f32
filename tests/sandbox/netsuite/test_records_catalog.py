"""The metadata catalog: the list of record types and one type's JSON Schema or OpenAPI document."""

from __future__ import annotations

import httpx

from .conftest import HOST, RECORD


async def test_catalog_lists_every_record_type(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{RECORD}/metadata-catalog")
    assert response.status_code == 200
    names = {item["name"] for item in response.json()["items"]}
    assert {
        "salesorder",
        "itemfulfillment",
        "customerdeposit",
        "journalentry",
        "kititem",
        "pricelevel",
    } <= names
    entry = next(item for item in response.json()["items"] if item["name"] == "salesorder")
    rels = {(link["rel"], link.get("mediaType")) for link in entry["links"]}
    assert ("alternate", "application/schema+json") in rels and (
        "alternate",
        "application/swagger+json",
    ) in rels
    assert {"rel": "describes", "href": f"{HOST}{RECORD}/salesorder"} in entry["links"]
    selected = (await client.get(f"{RECORD}/metadata-catalog", params={"select": "customer,invoice"})).json()
    assert [item["name"] for item in selected["items"]] == ["customer", "invoice"]


async def test_json_schema_of_a_record_type(client: httpx.AsyncClient) -> None:
    response = await client.get(
        f"{RECORD}/metadata-catalog/itemFulfillment", headers={"Accept": "application/schema+json"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/schema+json")
    schema = response.json()
    props = schema["properties"]
    assert schema["required"] == ["createdFrom"]
    assert props["createdFrom"]["properties"]["id"]["type"] == "string"
    package = props["package"]["properties"]["items"]["items"]["properties"]
    assert {"packageTrackingNumber", "packageWeight"} <= set(package)
    assert package["packageWeight"]["type"] == "number"
    assert (
        props["shipStatus"]["x-ns-filterable"] is True and props["shipStatus"]["x-ns-custom-field"] is False
    )
    assert (
        props["lastModifiedDate"]["format"] == "date-time" and props["lastModifiedDate"]["readOnly"] is True
    )

    order = (
        await client.get(
            f"{RECORD}/metadata-catalog/salesorder", headers={"Accept": "application/schema+json"}
        )
    ).json()
    assert order["properties"]["entity"]["title"] == "Customer"
    assert order["properties"]["total"]["readOnly"] is True
    line = order["properties"]["item"]["properties"]["items"]["items"]["properties"]
    assert line["item"]["properties"]["refName"]["readOnly"] is True and line["quantity"]["type"] == "number"


async def test_openapi_variant_and_unknown_type(client: httpx.AsyncClient) -> None:
    swagger = await client.get(
        f"{RECORD}/metadata-catalog/customer", headers={"Accept": "application/swagger+json"}
    )
    assert swagger.json()["openapi"].startswith("3.")
    assert "customer" in swagger.json()["components"]["schemas"]
    missing = await client.get(f"{RECORD}/metadata-catalog/noSuchThing")
    assert missing.status_code == 404
    assert (await client.post(f"{RECORD}/metadata-catalog", json={})).status_code == 405
