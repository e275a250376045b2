"""The handler's answers that hand-written bugs changed while the rest of the suite still passed.

Each test here failed on one injected bug (a group compared without case, a request header read as groups,
HEAD answered before the access check, an If-Match with text after the version, a next token with keys of its
own, a reorder level of 0 read as "none", a filtered page longer than ``limit``, a scan without its cap of 10
DynamoDB pages, a next token made from the last item shown, a null reorder level stored on create, a body
measured in characters) and passes on the handler as it is. Events are the realistic payload-2.0 events of app_helpers.
"""

import base64
import json

import boto3
import pytest
from app_helpers import (  # noqa: F401 -- fixtures
    CLAIMS,
    REGION,
    TABLE_NAME,
    FakeContext,
    aws_env,
    http_event,
    lambda_app,
    moto_dynamodb,
    table,
)

OWN_GROUP = "john-inventory-dev-users"
WIDGET = {"name": "Widget", "sku": "WID-001", "quantity": 12}


@pytest.fixture
def call(lambda_app, table):
    def _call(method, path, body=None, **kwargs):
        response = lambda_app.handler(http_event(method, path, body, **kwargs), FakeContext())
        payload = json.loads(response["body"]) if response.get("body") else None
        return response["statusCode"], payload

    return _call


@pytest.fixture
def create(call):
    def _create(**fields):
        status, item = call("POST", "/items", {**WIDGET, **fields})
        assert status == 201, item
        return item

    return _create


def _claims(groups):
    return {**{k: v for k, v in CLAIMS.items() if k != "cognito:groups"}, "cognito:groups": groups}


# --------------------------------------------------------------------------- access


@pytest.mark.parametrize(
    "groups",
    ["[John-Inventory-Dev-Users]", "[JOHN-INVENTORY-DEV-USERS]", ["John-Inventory-Dev-Users"]],
    ids=["title-case", "upper-case", "list"],
)
def test_a_group_differing_only_in_case_is_another_group(call, groups):
    """Cognito group names are case-sensitive: "John-Inventory-Dev-Users" is not the app's group."""
    status, body = call("GET", "/items", claims=_claims(groups))
    assert status == 403, body
    assert body["error"] == "no_access"


@pytest.mark.parametrize(
    "header", ["x-cognito-groups", "cognito-groups", "x-amzn-oidc-groups", "x-groups", "x-forwarded-groups"]
)
def test_only_the_tokens_claim_grants_access_never_a_request_header(call, header):
    """The groups come from the claims API Gateway verified; a header of the caller's choosing changes nothing."""
    claims = _claims("[team-backend-inventory-prod-users]")
    for value in (OWN_GROUP, f"[{OWN_GROUP}]"):
        status, body = call("GET", "/items", claims=claims, headers={header: value})
        assert status == 403, body
        status, body = call("POST", "/items", WIDGET, claims=claims, headers={header: value})
        assert status == 403, body
    status, listing = call("GET", "/items")
    assert status == 200 and listing["items"] == []


@pytest.mark.parametrize("method", ["HEAD", "PATCH", "TRACE"])
def test_a_method_without_a_route_is_refused_without_the_group(call, method):
    """Only OPTIONS (a misrouted preflight) skips the access check; any other method needs the group first."""
    status, body = call(method, "/items", claims=_claims("[team-backend-inventory-prod-users]"))
    assert status == 403, body
    assert body["error"] == "no_access"
    status, body = call(method, "/items", claims=_claims(f"[{OWN_GROUP}]"))
    assert status == 405, body
    assert body == {
        "error": "method_not_allowed",
        "message": f"{method} is not allowed on /items",
        "requestId": body["requestId"],
    }


# --------------------------------------------------------------------------- If-Match and version


@pytest.mark.parametrize(
    "if_match",
    ['"1", "2"', '"1"x', "1 2", 'W/"1"; x', '"1234567890123"', "1" * 5000],
    ids=["list", "trailing-text", "two-numbers", "parameter", "13-digits", "5000-digits"],
)
def test_if_match_that_is_not_exactly_one_version_is_400_and_changes_nothing(call, create, if_match):
    item = create()
    path = f"/items/{item['id']}"
    status, error = call("PUT", path, {"quantity": 1}, headers={"If-Match": if_match})
    assert status == 400, error
    assert error["field"] == "If-Match"
    assert error["errors"] == [{"field": "If-Match", "message": 'must be the item version, e.g. "3"'}]
    status, error = call("DELETE", path, headers={"If-Match": if_match})
    assert status == 400, error
    status, current = call("GET", path)
    assert status == 200 and current["version"] == 1 and current["quantity"] == 12


@pytest.mark.parametrize("version", ["1234567890123", "1" * 5000])
def test_a_version_query_longer_than_a_version_is_400(call, create, version):
    item = create()
    status, error = call("DELETE", f"/items/{item['id']}", query={"version": version})
    assert status == 400, error
    assert error["field"] == "version"


# --------------------------------------------------------------------------- listing


def _token(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "data",
    [
        {"id": "0123456789abcdef0123456789abcdef", "name": "x"},
        {"id": "0123456789abcdef0123456789abcdef", "quantity": 1},
        {},
    ],
    ids=["extra-string-key", "extra-number-key", "empty"],
)
def test_a_next_token_holding_anything_but_an_id_is_400(call, create, data):
    """The token becomes DynamoDB's ExclusiveStartKey: a key of the client's choosing must never reach it."""
    create()
    status, error = call("GET", "/items", query={"nextToken": _token(data)})
    assert status == 400, error
    assert error["errors"] == [{"field": "nextToken", "message": "is not a token returned by this API"}]


def test_a_reorder_level_of_zero_is_the_items_own_limit(call, create):
    """reorderLevel 0 means "low only when none is left", not "use the default threshold" (5)."""
    some_left = create(sku="ZERO-3", quantity=3, reorderLevel=0)
    none_left = create(sku="ZERO-0", quantity=0, reorderLevel=0)
    assert some_left["lowStock"] is False
    assert none_left["lowStock"] is True
    status, fetched = call("GET", f"/items/{some_left['id']}")
    assert status == 200 and fetched["lowStock"] is False and fetched["reorderLevel"] == 0
    status, page = call("GET", "/items", query={"lowStock": "true"})
    assert status == 200
    assert [i["sku"] for i in page["items"]] == ["ZERO-0"]
    status, page = call("GET", "/items")
    assert {i["sku"]: i["lowStock"] for i in page["items"]} == {"ZERO-3": False, "ZERO-0": True}


def test_a_filtered_page_never_holds_more_than_limit(call, create):
    """A low-stock scan fills one page from several DynamoDB pages: together never more than ``limit`` items."""
    low = set()
    for n in range(12):
        item = create(sku=f"SKU-{n}", quantity=1 if n % 2 else 50)
        if n % 2:
            low.add(item["id"])
    seen, token, pages = [], None, 0
    while True:
        query = {"lowStock": "true", "limit": "2", **({"nextToken": token} if token else {})}
        status, page = call("GET", "/items", query=query)
        assert status == 200, page
        assert page["count"] == len(page["items"]) <= 2, page
        seen.extend(i["id"] for i in page["items"])
        token = page.get("nextToken")
        pages += 1
        if not token:
            break
        assert pages < 20
    assert sorted(seen) == sorted(low)


class _CountingTable:
    """The handler's table with its scan calls counted (``name`` is what _table() compares)."""

    def __init__(self, table):
        self._table, self.name, self.scans = table, table.name, 0

    def scan(self, **kwargs):
        self.scans += 1
        return self._table.scan(**kwargs)

    def __getattr__(self, attribute):
        return getattr(self._table, attribute)


def test_a_filtered_request_scans_at_most_ten_pages_and_hands_back_a_token(lambda_app, call, create):
    """15 items, none low: with limit 1 each DynamoDB page evaluates one item, so the first request stops after
    10 pages with no item and a nextToken (never a 500), and the next one finishes the table."""
    for n in range(15):
        create(sku=f"PLENTY-{n}", quantity=100)
    counting = _CountingTable(lambda_app._table())
    lambda_app._TABLE = counting
    status, page = call("GET", "/items", query={"lowStock": "true", "limit": "1"})
    assert status == 200, page
    assert (page["items"], page["count"], counting.scans) == ([], 0, 10)
    assert "nextToken" in page
    token, requests = page["nextToken"], 1
    while token:
        status, page = call("GET", "/items", query={"lowStock": "true", "limit": "1", "nextToken": token})
        assert status == 200 and page["items"] == [], page
        token, requests = page.get("nextToken"), requests + 1
        assert requests <= 3
    assert counting.scans <= 21


def test_a_null_reorder_level_on_create_is_not_stored(call):
    """null means "use the default threshold": no attribute at all, so the low-stock filter applies the default."""
    status, item = call("POST", "/items", {**WIDGET, "quantity": 3, "reorderLevel": None})
    assert status == 201, item
    assert "reorderLevel" not in item and item["lowStock"] is True
    stored = boto3.resource("dynamodb", region_name=REGION).Table(TABLE_NAME).get_item(Key={"id": item["id"]})["Item"]
    assert "reorderLevel" not in stored
    status, page = call("GET", "/items", query={"lowStock": "true"})
    assert status == 200
    assert [i["id"] for i in page["items"]] == [item["id"]]


# --------------------------------------------------------------------------- body


def test_the_body_limit_counts_bytes_not_characters(call):
    """9,000 two-byte characters are 18,000 bytes: over the 16,384-byte cap though under 16,384 characters."""
    raw = json.dumps({**WIDGET, "name": "é" * 9000}, ensure_ascii=False)
    assert len(raw) < 16384 < len(raw.encode("utf-8"))
    status, error = call("POST", "/items", raw)
    assert status == 400, error
    assert error["field"] == "body"
    assert error["message"] == "body: larger than 16384 bytes"
