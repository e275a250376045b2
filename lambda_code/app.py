"""Smart Inventory Hub API: one Lambda behind an API Gateway HTTP API (payload 2.0).

Every route sits behind the Cognito JWT authorizer; the handler trusts the claims
that API Gateway passes in ``requestContext.authorizer.jwt.claims`` and never
re-validates the token.

Routes
    GET    /items            list items (paginated, optional low-stock filter)
    POST   /items            create an item                       -> 201
    GET    /items/{id}       read one item                        -> 200 / 404
    PUT    /items/{id}       partial update of the editable fields -> 200 / 404 / 412
    DELETE /items/{id}       delete an item                       -> 204 / 404 / 412

Item fields (JSON, camelCase)
    editable:  name (required, 1-200 chars), sku (required, 1-64 of A-Z a-z 0-9 . _ -),
               quantity (required, integer 0..1,000,000,000), location (optional,
               <= 200 chars, default ""), unitPrice (optional, number 0..1,000,000 with
               at most 4 decimals, default 0), reorderLevel (optional integer >= 0;
               when absent the item uses LOW_STOCK_THRESHOLD).
    server-set: id, version, createdAt, updatedAt (ISO 8601 UTC), createdBy,
               updatedBy (email, else cognito:username, else sub of the JWT claims),
               lowStock (quantity <= reorderLevel or the default threshold).
    Unknown or server-set fields in a request body are a 400 naming the field; every
    invalid field is reported at once in ``errors``.

Optimistic concurrency
    Every item carries an integer ``version`` (1 on create, +1 on each update) that is
    also sent as a strong ``ETag: "<version>"``. PUT and DELETE must say which version
    they change, with the ``If-Match`` header (``"3"``, ``3`` or ``W/"3"``) or, as a
    fallback for clients that cannot set headers, ``version`` in the PUT body or the
    ``?version=`` query parameter of DELETE. Missing -> 428, not an integer -> 400,
    stale -> 412 Precondition Failed (RFC 9110 section 13.1.1) with the current item in
    ``current``.

Listing
    ``limit`` (1-100, default 50) and ``nextToken`` (opaque, from the previous page;
    absent on the last page). ``lowStock=true`` keeps only low-stock items;
    ``threshold=N`` overrides LOW_STOCK_THRESHOLD for items without a reorderLevel.
    Order is the table's scan order (unspecified); clients sort.

Errors are JSON ``{"error": code, "message": ..., "field"?: ..., "errors"?: [...],
"requestId": ...}``. Malformed input of any kind (query parameters, headers, body: bad
digits, deeply nested JSON, numbers with thousands of digits, lone surrogates) is a 400
naming the field; an unexpected exception is logged with its traceback and answered
as a plain 500, never with the trace.

Access
    A valid token is not enough: the caller's ``cognito:groups`` claim must hold one of the
    groups in ACCESS_GROUPS (the app's own group and ``spec.access.groups``), else 403
    ``no_access`` naming APP_NAME. The check fails closed: with ACCESS_GROUPS unset or empty
    (no group named) every request is that 403, never a 5xx and never allowed. The generator
    always sets ACCESS_GROUPS.

Environment
    TABLE_NAME (required), APP_NAME, ACCESS_GROUPS (comma-separated), ALLOWED_ORIGIN (CORS origin, e.g. https://apps.example.com;
    no CORS headers when unset), LOW_STOCK_THRESHOLD (default 5), LOG_LEVEL (default INFO).

Only the standard library and boto3 (shipped by the Lambda runtime) are used, so the
bundle is this one file.
"""

import base64
import binascii
import datetime
import decimal
import json
import logging
import os
import re
import sys
import time
import traceback
import uuid

import boto3
from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError

DEFAULT_LOW_STOCK_THRESHOLD = 5
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
MAX_QUANTITY = 1_000_000_000
MAX_PRICE = decimal.Decimal("1000000")
MAX_BODY_BYTES = 16 * 1024
# A filtered scan may need several pages to fill one response; cap the work per request.
MAX_SCAN_CALLS = 10

SKU_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
ID_RE = re.compile(r"^[0-9a-f]{32}$")
IF_MATCH_RE = re.compile(r'^(?:W/)?"?([0-9]{1,12})"?$')
#: ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
DIGITS_RE = re.compile(r"[0-9]{1,10}")
MAX_VERSION = 10**12

EDITABLE_FIELDS = ("name", "sku", "quantity", "location", "unitPrice", "reorderLevel")
REQUIRED_ON_CREATE = ("name", "sku", "quantity")
SERVER_FIELDS = ("id", "version", "createdAt", "updatedAt", "createdBy", "updatedBy", "lowStock")


# --------------------------------------------------------------------------- logging


class _JsonFormatter(logging.Formatter):
    """One JSON object per line, so CloudWatch Logs Insights can query fields."""

    def format(self, record):
        entry = {
            "timestamp": datetime.datetime.fromtimestamp(record.created, datetime.UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = "".join(traceback.format_exception(*record.exc_info))
        return json.dumps(entry, default=str)


def _make_logger():
    logger = logging.getLogger("inventory")
    # The Lambda runtime installs its own plain-text handler on the root logger;
    # a dedicated, non-propagating logger keeps our lines pure JSON.
    logger.propagate = False
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(_JsonFormatter())
        logger.addHandler(handler)
    level = os.environ.get("LOG_LEVEL", "INFO").strip().upper()
    logger.setLevel(level if level in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL") else "INFO")
    return logger


LOG = _make_logger()


def _log(level, message, **fields):
    LOG.log(level, message, extra={"fields": fields})


# --------------------------------------------------------------------------- AWS


_TABLE = None


def _table():
    """The DynamoDB table, created lazily so that tests can point boto3 at moto."""
    global _TABLE
    name = os.environ["TABLE_NAME"]
    if _TABLE is None or _TABLE.name != name:
        _TABLE = boto3.resource("dynamodb").Table(name)
    return _TABLE


# --------------------------------------------------------------------------- HTTP helpers


class ApiError(Exception):
    """An expected failure that becomes a JSON error response."""

    def __init__(self, status, code, message, field=None, errors=None, extra=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.errors = errors
        self.extra = extra or {}


def _json_default(value):
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def _cors_headers():
    origin = os.environ.get("ALLOWED_ORIGIN", "").strip()
    if not origin:
        return {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Expose-Headers": "ETag",
        "Vary": "Origin",
    }


def _response(status, body=None, headers=None):
    out_headers = {"Cache-Control": "no-store"}
    out_headers.update(_cors_headers())
    if headers:
        out_headers.update(headers)
    response = {"statusCode": status, "headers": out_headers}
    if body is not None:
        out_headers["Content-Type"] = "application/json"
        response["body"] = json.dumps(body, default=_json_default, separators=(",", ":"))
    else:
        response["body"] = ""
    return response


def _error_response(err, request_id):
    body = {"error": err.code, "message": err.message, "requestId": request_id}
    if err.field:
        body["field"] = err.field
    if err.errors:
        body["errors"] = err.errors
    body.update(err.extra)
    return _response(err.status, body)


def _validation_error(errors):
    """400 naming every invalid field; ``field`` is the first one for simple clients."""
    first = errors[0]
    message = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return ApiError(400, "validation_error", message, field=first["field"], errors=errors)


def _header(event, name):
    # Payload 2.0 lower-cases header names; be lenient for hand-made events.
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == name:
            return value
    return None


def _query(event):
    return event.get("queryStringParameters") or {}


def _parse_body(event):
    raw = event.get("body")
    if raw is None or raw == "":
        raise _validation_error([{"field": "body", "message": "a JSON object is required"}])
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(raw, validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):  # binascii.Error, or a non-ASCII character in the base64 text
            raise _validation_error([{"field": "body", "message": "is not valid base64 UTF-8"}]) from None
    if not _encodable(raw):
        raise _validation_error([{"field": "body", "message": "is not valid UTF-8 text"}])
    if len(raw.encode("utf-8")) > MAX_BODY_BYTES:
        raise _validation_error([{"field": "body", "message": f"larger than {MAX_BODY_BYTES} bytes"}])
    try:
        data = json.loads(raw, parse_float=decimal.Decimal)
    except RecursionError:
        raise _validation_error([{"field": "body", "message": "is nested too deeply"}]) from None
    except json.JSONDecodeError as exc:
        raise _validation_error([{"field": "body", "message": f"is not valid JSON ({exc.msg})"}]) from None
    except ValueError:
        # int() refuses numbers over sys.get_int_max_str_digits() digits with a plain ValueError.
        raise _validation_error([{"field": "body", "message": "is not valid JSON (a number is too long)"}]) from None
    if not isinstance(data, dict):
        raise _validation_error([{"field": "body", "message": "must be a JSON object"}])
    return data


def _claims(event):
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    return (authorizer.get("jwt") or {}).get("claims") or {}


def _actor(claims):
    """Who made the request, as shown in createdBy/updatedBy."""
    for key in ("email", "cognito:username", "username", "sub"):
        value = claims.get(key)
        if isinstance(value, str) and value:
            return value
    return "unknown"


def _token_groups(claims):
    """The caller's Cognito groups. The HTTP API JWT authorizer hands an array claim to the function as
    one string, ``"[group-a group-b]"``; a JSON array string or a real list (other integrations) also work."""
    raw = claims.get("cognito:groups")
    if isinstance(raw, list):
        return {g for g in raw if isinstance(g, str) and g}
    if not isinstance(raw, str):
        return set()
    text = raw.strip()
    if text.startswith("[") and '"' in text:
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, list):
            return {g for g in parsed if isinstance(g, str) and g}
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    # Cognito group names hold no whitespace, so splitting on it is unambiguous.
    return set(text.split())


def _check_access(claims):
    """403 unless the caller is in one of the app's groups (see "Access" above).

    Fails closed: ACCESS_GROUPS unset or naming no group refuses everyone."""
    allowed = os.environ.get("ACCESS_GROUPS") or ""
    wanted = [g.strip() for g in allowed.split(",") if g.strip()]  # the app's own group first
    if set(wanted) & _token_groups(claims):
        return
    app = os.environ.get("APP_NAME") or "this app"
    if wanted:
        hint = f"an administrator can add you to the group {wanted[0]}"
    else:
        hint = "no access group is configured for it (ACCESS_GROUPS is unset or empty)"
    raise ApiError(
        403,
        "no_access",
        f"you are signed in but have no access to {app}; {hint}",
        extra={"app": app, "groups": wanted},
    )


def _now():
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --------------------------------------------------------------------------- validation


def _encodable(text):
    """False for a string holding a lone surrogate (JSON allows "\\udc80"; UTF-8, and so DynamoDB, does not)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_string(errors, data, field, max_len, pattern=None, pattern_hint=None, allow_empty=False):
    value = data[field]
    if not isinstance(value, str):
        errors.append({"field": field, "message": "must be a string"})
        return None
    value = value.strip()
    if not value and not allow_empty:
        errors.append({"field": field, "message": "must not be empty"})
        return None
    if len(value) > max_len:
        errors.append({"field": field, "message": f"must be at most {max_len} characters"})
        return None
    if not _encodable(value):
        errors.append({"field": field, "message": "must be valid Unicode text (no lone surrogates)"})
        return None
    if pattern is not None and not pattern.match(value):
        errors.append({"field": field, "message": pattern_hint})
        return None
    return value


def _check_int(errors, data, field, maximum):
    value = data[field]
    if isinstance(value, bool) or not isinstance(value, int):
        errors.append({"field": field, "message": "must be an integer"})
        return None
    if value < 0 or value > maximum:
        errors.append({"field": field, "message": f"must be between 0 and {maximum}"})
        return None
    return value


def _check_price(errors, data, field):
    value = data[field]
    if isinstance(value, bool) or not isinstance(value, (int, decimal.Decimal)):
        errors.append({"field": field, "message": "must be a number"})
        return None
    value = decimal.Decimal(value)
    if not value.is_finite() or value < 0 or value > MAX_PRICE:
        errors.append({"field": field, "message": f"must be between 0 and {MAX_PRICE}"})
        return None
    if value.as_tuple().exponent < -4:
        errors.append({"field": field, "message": "must have at most 4 decimal places"})
        return None
    return value.normalize() if value != 0 else decimal.Decimal(0)


def _validate_fields(data, *, partial, allowed_extra=()):
    """Validate an item body; returns the clean editable fields or raises a 400."""
    errors = []
    for field in data:
        if field in allowed_extra or field in EDITABLE_FIELDS:
            continue
        if field in SERVER_FIELDS:
            errors.append({"field": field, "message": "is set by the server and cannot be written"})
        else:
            errors.append({"field": field or '""', "message": "is not a known field"})
    if not partial:
        for field in REQUIRED_ON_CREATE:
            if field not in data:
                errors.append({"field": field, "message": "is required"})
    clean = {}
    checks = {
        "name": lambda: _check_string(errors, data, "name", 200),
        "sku": lambda: _check_string(
            errors, data, "sku", 64, SKU_RE, "must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'"
        ),
        "quantity": lambda: _check_int(errors, data, "quantity", MAX_QUANTITY),
        "location": lambda: _check_string(errors, data, "location", 200, allow_empty=True),
        "unitPrice": lambda: _check_price(errors, data, "unitPrice"),
        "reorderLevel": lambda: _check_int(errors, data, "reorderLevel", MAX_QUANTITY),
    }
    for field in EDITABLE_FIELDS:
        if field in data:
            if field == "reorderLevel" and data[field] is None:
                clean[field] = None  # explicit null clears it (PUT) / means "use default"
                continue
            value = checks[field]()
            if value is not None:
                clean[field] = value
    if partial and not errors and not any(f in data for f in EDITABLE_FIELDS):
        errors.append({"field": "body", "message": f"must contain at least one of {', '.join(EDITABLE_FIELDS)}"})
    if errors:
        raise _validation_error(errors)
    return clean


def _item_id(event):
    item_id = (event.get("pathParameters") or {}).get("id", "")
    if not ID_RE.match(item_id or ""):
        # Ids are server-made uuid4 hex; anything else cannot exist.
        raise ApiError(404, "not_found", "item not found", field="id")
    return item_id


def _parse_version(value, field):
    if isinstance(value, bool):
        value = None
    if isinstance(value, int):
        if 1 <= value <= MAX_VERSION:
            return value
    elif isinstance(value, str):
        match = IF_MATCH_RE.match(value.strip())
        if match and int(match.group(1)) >= 1:
            return int(match.group(1))
    raise _validation_error([{"field": field, "message": 'must be the item version, e.g. "3"'}])


def _expected_version(event, body_version=None):
    header = _header(event, "if-match")
    query_version = _query(event).get("version")
    candidates = []
    if header is not None:
        candidates.append(_parse_version(header, "If-Match"))
    if body_version is not None:
        candidates.append(_parse_version(body_version, "version"))
    if query_version is not None:
        candidates.append(_parse_version(query_version, "version"))
    if not candidates:
        raise ApiError(
            428,
            "precondition_required",
            "send the item version you are changing in the If-Match header",
            field="If-Match",
        )
    if len(set(candidates)) > 1:
        raise _validation_error([{"field": "version", "message": "If-Match and version disagree"}])
    return candidates[0]


def _low_stock_threshold(event=None):
    raw = os.environ.get("LOW_STOCK_THRESHOLD", "")
    try:
        default = int(raw) if raw.strip() else DEFAULT_LOW_STOCK_THRESHOLD
    except ValueError:
        default = DEFAULT_LOW_STOCK_THRESHOLD
    if event is not None and "threshold" in _query(event):
        value = _query(event)["threshold"]
        if not isinstance(value, str) or not DIGITS_RE.fullmatch(value) or int(value) > MAX_QUANTITY:
            raise _validation_error([{"field": "threshold", "message": "must be a non-negative integer"}])
        return int(value)
    return default


def _present(item, threshold):
    """The item as the API shows it."""
    out = dict(item)
    level = out.get("reorderLevel")
    limit = level if level is not None else threshold
    out["lowStock"] = out.get("quantity", 0) <= limit
    out.setdefault("location", "")
    out.setdefault("unitPrice", 0)
    return out


def _etag(item):
    return {"ETag": f'"{int(item["version"])}"'}


# --------------------------------------------------------------------------- pagination


def _encode_token(last_key):
    raw = json.dumps({"id": last_key["id"]}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token):
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        if isinstance(data, dict) and set(data) == {"id"} and isinstance(data["id"], str) and ID_RE.match(data["id"]):
            return {"id": data["id"]}
    except (ValueError, UnicodeError, binascii.Error, RecursionError, TypeError, AttributeError):
        pass
    raise _validation_error([{"field": "nextToken", "message": "is not a token returned by this API"}])


def _page_size(event):
    raw = _query(event).get("limit")
    if raw is None:
        return DEFAULT_PAGE_SIZE
    if not isinstance(raw, str) or not DIGITS_RE.fullmatch(raw) or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise _validation_error([{"field": "limit", "message": f"must be an integer from 1 to {MAX_PAGE_SIZE}"}])
    return int(raw)


def _flag(event, name):
    raw = _query(event).get(name)
    if raw is None:
        return False
    if not isinstance(raw, str):
        raise _validation_error([{"field": name, "message": "must be true or false"}])
    if raw.lower() in ("true", "1", "yes"):
        return True
    if raw.lower() in ("false", "0", "no", ""):
        return False
    raise _validation_error([{"field": name, "message": "must be true or false"}])


# --------------------------------------------------------------------------- routes


def list_items(event):
    limit = _page_size(event)
    low_only = _flag(event, "lowStock")
    threshold = _low_stock_threshold(event)
    token = _query(event).get("nextToken")
    start_key = _decode_token(token) if token else None

    kwargs = {}
    if low_only:
        # Items with their own reorderLevel compare against it, the rest against the threshold.
        kwargs["FilterExpression"] = (Attr("reorderLevel").exists() & Attr("quantity").lte(Attr("reorderLevel"))) | (
            Attr("reorderLevel").not_exists() & Attr("quantity").lte(threshold)
        )

    items = []
    last_key = None
    for _ in range(MAX_SCAN_CALLS):
        call = dict(kwargs, Limit=limit - len(items))
        if start_key:
            call["ExclusiveStartKey"] = start_key
        page = _table().scan(**call)
        items.extend(page.get("Items", []))
        last_key = page.get("LastEvaluatedKey")
        if not last_key or len(items) >= limit:
            break
        start_key = last_key

    body = {"items": [_present(i, threshold) for i in items], "count": len(items)}
    if last_key:
        body["nextToken"] = _encode_token(last_key)
    return _response(200, body)


def create_item(event):
    data = _validate_fields(_parse_body(event), partial=False)
    claims = _claims(event)
    now = _now()
    actor = _actor(claims)
    item = {
        "id": uuid.uuid4().hex,
        "version": 1,
        "createdAt": now,
        "updatedAt": now,
        "createdBy": actor,
        "createdBySub": claims.get("sub", ""),
        "updatedBy": actor,
        "location": "",
        "unitPrice": decimal.Decimal(0),
    }
    item.update({k: v for k, v in data.items() if v is not None})
    _table().put_item(Item=item, ConditionExpression="attribute_not_exists(id)")
    _log(logging.INFO, "item created", itemId=item["id"], sku=item["sku"])
    return _response(201, _present(item, _low_stock_threshold()), {**_etag(item), "Location": f"/items/{item['id']}"})


def _get(item_id):
    item = _table().get_item(Key={"id": item_id}, ConsistentRead=True).get("Item")
    if item is None:
        raise ApiError(404, "not_found", "item not found", field="id")
    return item


def get_item(event):
    item = _get(_item_id(event))
    return _response(200, _present(item, _low_stock_threshold()), _etag(item))


def _conflict(item_id, expected):
    """After a failed condition: 404 if the item is gone, else 412 (RFC 9110: If-Match failed) with the current item."""
    current = _get(item_id)
    return ApiError(
        412,
        "precondition_failed",
        f"item was changed by someone else (you sent version {expected}, current is {int(current['version'])});"
        " reload it and apply your change again",
        field="version",
        extra={"current": _present(current, _low_stock_threshold())},
    )


def update_item(event):
    item_id = _item_id(event)
    body = _parse_body(event)
    data = _validate_fields(body, partial=True, allowed_extra=("version",))
    expected = _expected_version(event, body.get("version"))
    actor = _actor(_claims(event))

    names = {"#version": "version", "#updatedAt": "updatedAt", "#updatedBy": "updatedBy"}
    values = {":expected": expected, ":one": 1, ":now": _now(), ":actor": actor}
    sets = ["#version = #version + :one", "#updatedAt = :now", "#updatedBy = :actor"]
    removes = []
    for i, (field, value) in enumerate(sorted(data.items())):
        names[f"#f{i}"] = field
        if value is None:
            removes.append(f"#f{i}")
        else:
            values[f":v{i}"] = value
            sets.append(f"#f{i} = :v{i}")
    expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
    try:
        result = _table().update_item(
            Key={"id": item_id},
            UpdateExpression=expression,
            ConditionExpression="attribute_exists(id) AND #version = :expected",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        raise _conflict(item_id, expected) from None
    item = result["Attributes"]
    _log(logging.INFO, "item updated", itemId=item_id, version=int(item["version"]), fields=sorted(data))
    return _response(200, _present(item, _low_stock_threshold()), _etag(item))


def delete_item(event):
    item_id = _item_id(event)
    expected = _expected_version(event)
    try:
        _table().delete_item(
            Key={"id": item_id},
            ConditionExpression="attribute_exists(id) AND #version = :expected",
            ExpressionAttributeNames={"#version": "version"},
            ExpressionAttributeValues={":expected": expected},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        raise _conflict(item_id, expected) from None
    _log(logging.INFO, "item deleted", itemId=item_id, version=expected)
    return _response(204)


ROUTES = {
    ("GET", "/items"): list_items,
    ("POST", "/items"): create_item,
    ("GET", "/items/{id}"): get_item,
    ("PUT", "/items/{id}"): update_item,
    ("DELETE", "/items/{id}"): delete_item,
}
ITEM_PATH_RE = re.compile(r"^/items/([^/]+)$")


def _route(event):
    """(method, route template) from routeKey, or from the raw path for $default routes."""
    http = (event.get("requestContext") or {}).get("http") or {}
    method = (http.get("method") or "").upper()
    route_key = event.get("routeKey") or ""
    if " " in route_key and route_key != "$default":
        method, template = route_key.split(" ", 1)
        return method.upper(), template
    path = (event.get("rawPath") or http.get("path") or "").rstrip("/") or "/"
    # Stage names prefix rawPath on non-default stages: keep only what follows /items.
    idx = path.find("/items")
    path = path[idx:] if idx >= 0 else path
    match = ITEM_PATH_RE.match(path)
    if match:
        event.setdefault("pathParameters", {})
        event["pathParameters"] = dict(event["pathParameters"] or {}, id=match.group(1))
        return method, "/items/{id}"
    return method, path


def handler(event, context):
    """Lambda entry point (``app.handler``)."""
    started = time.monotonic()
    request_id = getattr(context, "aws_request_id", None) or str(uuid.uuid4())
    method, template = _route(event)
    claims = _claims(event)
    try:
        if method == "OPTIONS":
            # API Gateway answers preflight itself; this only covers a misrouted one.
            response = _response(204)
        else:
            _check_access(claims)
            route = ROUTES.get((method, template))
            if route is None:
                if any(t == template for (_, t) in ROUTES):
                    raise ApiError(405, "method_not_allowed", f"{method} is not allowed on {template}")
                raise ApiError(404, "not_found", "no such route")
            response = route(event)
    except ApiError as err:
        response = _error_response(err, request_id)
    except Exception:
        LOG.error(
            "unhandled error",
            exc_info=True,
            extra={"fields": {"requestId": request_id, "route": f"{method} {template}"}},
        )
        response = _response(
            500, {"error": "internal_error", "message": "internal server error", "requestId": request_id}
        )
    _log(
        logging.INFO if response["statusCode"] < 500 else logging.ERROR,
        "request",
        requestId=request_id,
        route=f"{method} {template}",
        status=response["statusCode"],
        durationMs=round((time.monotonic() - started) * 1000, 1),
        user=claims.get("sub"),
        apiRequestId=(event.get("requestContext") or {}).get("requestId"),
    )
    return response
