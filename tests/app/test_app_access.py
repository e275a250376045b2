"""Per-app access: the handler answers 403 unless the token's cognito:groups holds the app's group.

Both claim forms are tested: the HTTP API JWT authorizer hands an array claim to the
function as one string, "[group-a group-b]", and other callers send a real list.
"""

import json

import pytest
from app_helpers import (  # noqa: F401 -- fixtures
    CLAIMS,
    FakeContext,
    aws_env,
    http_event,
    lambda_app,
    moto_dynamodb,
    table,
)

APP = "john-inventory-dev"
OWN_GROUP = "john-inventory-dev-users"
OTHER_GROUP = "team-backend-inventory-prod-users"
EXTRA_GROUP = "inventory-auditors"

AS_AUTHORIZER_STRING = {
    "none": None,
    "other": f"[{OTHER_GROUP}]",
    "own": f"[{OTHER_GROUP} {OWN_GROUP}]",
    "extra": f"[{EXTRA_GROUP}]",
}
AS_LIST = {
    "none": [],
    "other": [OTHER_GROUP],
    "own": [OTHER_GROUP, OWN_GROUP],
    "extra": [EXTRA_GROUP],
}


@pytest.fixture
def access(monkeypatch):
    monkeypatch.setenv("APP_NAME", APP)
    monkeypatch.setenv("ACCESS_GROUPS", f"{OWN_GROUP},{EXTRA_GROUP}")


def _call(app, groups, method="GET", path="/items", body=None):
    claims = {k: v for k, v in CLAIMS.items() if k != "cognito:groups"}
    if groups is not None:
        claims["cognito:groups"] = groups
    response = app.handler(http_event(method, path, body, claims=claims), FakeContext())
    return response["statusCode"], json.loads(response["body"]) if response["body"] else None


@pytest.mark.parametrize("form", [AS_AUTHORIZER_STRING, AS_LIST], ids=["authorizer-string", "list"])
@pytest.mark.parametrize(
    "who, status",
    [("none", 403), ("other", 403), ("own", 200), ("extra", 200)],
)
def test_list_needs_the_apps_group(lambda_app, table, access, form, who, status):
    got, body = _call(lambda_app, form[who])
    assert got == status, body
    if status == 403:
        assert body["error"] == "no_access"
        assert body["app"] == APP
        assert APP in body["message"] and OWN_GROUP in body["message"]


@pytest.mark.parametrize("form", [AS_AUTHORIZER_STRING, AS_LIST], ids=["authorizer-string", "list"])
def test_writes_are_refused_without_the_group_and_touch_nothing(lambda_app, table, access, form):
    item = {"name": "Widget", "sku": "W-1", "quantity": 1}
    assert _call(lambda_app, form["other"], "POST", "/items", item)[0] == 403
    status, listing = _call(lambda_app, form["own"])
    assert status == 200 and listing["items"] == []
    assert _call(lambda_app, form["own"], "POST", "/items", item)[0] == 201


def test_missing_claim_is_refused(lambda_app, table, access):
    assert _call(lambda_app, None)[0] == 403


@pytest.mark.parametrize(
    "claim",
    [
        f"{OWN_GROUP}x",  # a longer name is another group
        f"[x{OWN_GROUP}]",
        f"{OWN_GROUP[:-1]}",
        "",
        "[]",
        42,
    ],
)
def test_only_an_exact_group_name_counts(lambda_app, table, access, claim):
    assert _call(lambda_app, claim)[0] == 403


@pytest.mark.parametrize(
    "claim",
    [OWN_GROUP, f"[{OWN_GROUP}]", f'["{OTHER_GROUP}", "{OWN_GROUP}"]', f"[ {OWN_GROUP}  {OTHER_GROUP} ]"],
)
def test_other_spellings_of_the_claim(lambda_app, table, access, claim):
    assert _call(lambda_app, claim)[0] == 200


@pytest.mark.parametrize("setting", [None, "", " , ,"], ids=["unset", "empty", "only-commas"])
@pytest.mark.parametrize("form", [AS_AUTHORIZER_STRING, AS_LIST], ids=["authorizer-string", "list"])
@pytest.mark.parametrize(
    "method, path, body",
    [("GET", "/items", None), ("POST", "/items", {"name": "Widget", "sku": "W-1", "quantity": 1})],
)
def test_without_access_groups_everyone_is_refused(
    lambda_app, table, access, monkeypatch, setting, form, method, path, body
):
    """Fails closed: ACCESS_GROUPS unset or naming no group is 403 no_access for every token, never 2xx or 5xx."""
    if setting is None:
        monkeypatch.delenv("ACCESS_GROUPS")
    else:
        monkeypatch.setenv("ACCESS_GROUPS", setting)
    for who in ("none", "other", "own", "extra"):
        status, answer = _call(lambda_app, form[who], method, path, body)
        assert status == 403, (who, answer)
        assert answer["error"] == "no_access" and answer["app"] == APP and answer["groups"] == []
        assert answer["message"] == (
            f"you are signed in but have no access to {APP}; "
            "no access group is configured for it (ACCESS_GROUPS is unset or empty)"
        )
    monkeypatch.setenv("ACCESS_GROUPS", OWN_GROUP)
    assert _call(lambda_app, form["own"])[1]["items"] == []  # nothing was written while refused


def test_without_app_name_the_403_still_names_an_app(lambda_app, table, monkeypatch):
    monkeypatch.delenv("ACCESS_GROUPS")
    monkeypatch.delenv("APP_NAME")
    status, answer = _call(lambda_app, [OWN_GROUP])
    assert status == 403 and answer["error"] == "no_access" and answer["app"] == "this app"
