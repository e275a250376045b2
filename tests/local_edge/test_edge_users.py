"""``local user add`` (generator/local/edge/users.py) against an in-process moto server standing in for the emulator.

The pool is made like modules/user_pool.py's (email as the username, email auto-verified, the 12-character
password policy with every class), in us-east-2 beside a bucket there, as the platform leaves them: the emulator
endpoint's regions are those of its buckets. Every client users.py creates is spied on: the requests it sends
(``MessageAction`` has no effect moto shows) and that it only ever asks the endpoint it was given.
"""

from __future__ import annotations

import copy
import urllib.request
from collections import Counter

import pytest
from edge_helpers import client, moto_endpoint  # noqa: F401 - fixture

from generator.local.edge import discover, users
from generator.local.edge.users import UserError, add_user, generate_password

EMAIL = "jane@example.com"
SYMBOLS = "!#%+-=?@^_"


@pytest.fixture
def emulator(moto_endpoint):
    """The moto server, emptied (its state is the process's, shared with other modules' servers)."""
    urllib.request.urlopen(urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST"), timeout=30)
    return moto_endpoint


@pytest.fixture
def cognito(emulator):
    return client(emulator, "cognito-idp")


@pytest.fixture
def pool_id(emulator, cognito):
    """The platform's pool, as modules/user_pool.py makes it, in us-east-2 beside a bucket there."""
    client(emulator, "s3").create_bucket(
        Bucket="acme-ui", CreateBucketConfiguration={"LocationConstraint": "us-east-2"}
    )
    return cognito.create_user_pool(
        PoolName="acme-users",
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        Policies={
            "PasswordPolicy": {
                "MinimumLength": 12,
                "RequireLowercase": True,
                "RequireUppercase": True,
                "RequireNumbers": True,
                "RequireSymbols": True,
            }
        },
    )["UserPool"]["Id"]


@pytest.fixture
def sent(monkeypatch, emulator):
    """(region, operation, parameters) of every request users.py sends; a client for any other endpoint fails."""
    requests = []

    def spying_clients(endpoint):
        assert endpoint == emulator, f"a client for {endpoint!r}, not the emulator"
        make = discover.clients(endpoint)

        def make_client(service, region="us-east-1"):
            made = make(service, region)

            def record(params, model, **_):
                requests.append((region, model.name, copy.deepcopy(params)))

            made.meta.events.register("provide-client-params", record)
            return made

        return make_client

    monkeypatch.setattr(users, "clients", spying_clients)
    return requests


def signs_in(cognito, pool_id, password):
    """Whether EMAIL signs in with ``password`` (admin password auth, through a client allowed to use it)."""
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="check", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    try:
        cognito.admin_initiate_auth(
            UserPoolId=pool_id,
            ClientId=client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": EMAIL, "PASSWORD": password},
        )
    except cognito.exceptions.NotAuthorizedException:
        return False
    return True


def attributes(cognito, pool_id):
    user = cognito.admin_get_user(UserPoolId=pool_id, Username=EMAIL)
    return user["UserStatus"], {a["Name"]: a["Value"] for a in user["UserAttributes"] if a["Name"] != "sub"}


def test_the_user_is_created_confirmed_with_a_verified_email_in_the_group(emulator, cognito, pool_id, sent):
    cognito.create_group(UserPoolId=pool_id, GroupName="john-inventory-dev")

    password = add_user(emulator, pool_id, EMAIL, "john-inventory-dev")

    assert attributes(cognito, pool_id) == ("CONFIRMED", {"email": EMAIL, "email_verified": "true"})
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username=EMAIL)["Groups"]
    assert [g["GroupName"] for g in groups] == ["john-inventory-dev"]
    assert signs_in(cognito, pool_id, password)
    # Cognito sends no invitation (MessageAction SUPPRESS), all in the pool's region (its id's prefix).
    assert sent == [
        ("us-east-2", "ListGroups", {"UserPoolId": pool_id}),
        (
            "us-east-2",
            "AdminCreateUser",
            {
                "UserPoolId": pool_id,
                "Username": EMAIL,
                "MessageAction": "SUPPRESS",
                "UserAttributes": [{"Name": "email", "Value": EMAIL}, {"Name": "email_verified", "Value": "true"}],
            },
        ),
        (
            "us-east-2",
            "AdminSetUserPassword",
            {"UserPoolId": pool_id, "Username": EMAIL, "Password": password, "Permanent": True},
        ),
        (
            "us-east-2",
            "AdminAddUserToGroup",
            {"UserPoolId": pool_id, "Username": EMAIL, "GroupName": "john-inventory-dev"},
        ),
    ]


def test_without_a_group_the_user_joins_none_and_no_group_is_asked_for(emulator, cognito, pool_id, sent):
    password = add_user(emulator, pool_id, EMAIL, password="Given-password-1")

    assert password == "Given-password-1"
    assert cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username=EMAIL)["Groups"] == []
    assert [operation for _, operation, _ in sent] == ["AdminCreateUser", "AdminSetUserPassword"]
    assert signs_in(cognito, pool_id, "Given-password-1")


def test_without_a_pool_id_the_emulators_only_pool_is_used_in_its_region(emulator, cognito, pool_id, sent):
    cognito.create_group(UserPoolId=pool_id, GroupName="john-inventory-dev")

    password = add_user(emulator, None, EMAIL, "john-inventory-dev")

    assert attributes(cognito, pool_id) == ("CONFIRMED", {"email": EMAIL, "email_verified": "true"})
    assert signs_in(cognito, pool_id, password)
    # find_pool: the regions of the buckets and us-east-1, then the user's requests in the pool's region.
    assert [(region, operation) for region, operation, _ in sent] == [
        ("us-east-1", "ListBuckets"),
        ("us-east-1", "GetBucketLocation"),
        ("us-east-1", "ListUserPools"),
        ("us-east-2", "ListUserPools"),
        ("us-east-2", "ListGroups"),
        ("us-east-2", "AdminCreateUser"),
        ("us-east-2", "AdminSetUserPassword"),
        ("us-east-2", "AdminAddUserToGroup"),
    ]


def test_no_pool_on_the_emulator_is_refused(emulator, sent):
    with pytest.raises(UserError) as refused:
        add_user(emulator, None, EMAIL)
    assert str(refused.value) == "expected one user pool on the emulator, found 0 (run: python main.py local up)"


def test_an_existing_user_gets_the_new_password_and_keeps_its_group(emulator, cognito, pool_id):
    cognito.create_group(UserPoolId=pool_id, GroupName="john-inventory-dev")
    first = add_user(emulator, pool_id, EMAIL, "john-inventory-dev")

    again = add_user(emulator, pool_id, EMAIL, password="Another-password-2")

    assert again == "Another-password-2"
    assert signs_in(cognito, pool_id, "Another-password-2")
    assert not signs_in(cognito, pool_id, first)
    assert [u["Username"] for u in cognito.list_users(UserPoolId=pool_id)["Users"]] == [
        cognito.admin_get_user(UserPoolId=pool_id, Username=EMAIL)["Username"]
    ]
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username=EMAIL)["Groups"]
    assert [g["GroupName"] for g in groups] == ["john-inventory-dev"]


@pytest.mark.parametrize(
    "existing, listed",
    [(["mary-crm-dev", "john-inventory-prod"], "john-inventory-prod, mary-crm-dev"), ([], "none")],
    ids=["other-groups", "no-group"],
)
def test_an_unknown_group_is_refused_naming_the_pools_groups_and_no_user_is_created(
    emulator, cognito, pool_id, existing, listed
):
    for name in existing:
        cognito.create_group(UserPoolId=pool_id, GroupName=name)

    with pytest.raises(UserError) as refused:
        add_user(emulator, pool_id, EMAIL, "john-inventory-dev")

    assert str(refused.value) == (
        f"group 'john-inventory-dev' does not exist in user pool {pool_id} (groups: {listed}); apply the app first"
    )
    assert cognito.list_users(UserPoolId=pool_id)["Users"] == []


def test_a_group_past_the_first_page_of_60_is_found(emulator, cognito, pool_id):
    for n in range(61):  # ListGroups answers 60 at most; moto lists them in creation order
        cognito.create_group(UserPoolId=pool_id, GroupName=f"app{n:02d}-dev")

    add_user(emulator, pool_id, EMAIL, "app60-dev")

    groups = cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username=EMAIL)["Groups"]
    assert [g["GroupName"] for g in groups] == ["app60-dev"]


def test_a_generated_password_has_16_characters_of_every_class_from_its_alphabet():
    for password in (generate_password() for _ in range(200)):
        assert len(password) == 16
        assert any(c.islower() for c in password) and any(c.isupper() for c in password)
        assert any(c.isdigit() for c in password) and any(c in SYMBOLS for c in password)
        assert set(password) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" + SYMBOLS)
    assert len(generate_password(12)) == 12


@pytest.mark.parametrize(
    "pick, expected",
    [(lambda seq: seq[0], "aA0!" + "a" * 12), (lambda seq: seq[-1], "zZ9_" + "_" * 12)],
    ids=["first-of-each-set", "last-of-each-set"],
)
def test_a_generated_password_draws_one_of_each_class_then_from_letters_digits_and_symbols(monkeypatch, pick, expected):
    monkeypatch.setattr(users.secrets, "choice", pick)

    password = generate_password()

    assert Counter(password) == Counter(expected)  # shuffled, so compared as a multiset
