"""InstanceStack wiring that injected bugs changed while every construct test still passed.

- The app's Cognito group is made in the shared user pool's region, whatever the app's region: dropping
  ``provider=home`` from the group failed only the golden snapshot (which a pull request regenerates); the prod
  fixture runs in us-west-2 while the pool lives in the home region, us-east-2.
- The table's protection is the instance's ``deletionProtection`` (default: on in prod), not its environment:
  ``protect=instance.is_prod`` passed, since both fixtures have protection equal to "is prod".
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from fixtures import (
    DEV_INSTANCE,
    PROD_INSTANCE,
    Synthesized,
    build_instance_stack,
)

from generator.model import Instance


def build(instance: Instance) -> Synthesized:
    return build_instance_stack(instance, ui_sync="terraform")


@pytest.fixture(scope="module")
def prod() -> Synthesized:
    return build(PROD_INSTANCE)


def test_the_access_group_is_made_in_the_user_pools_region(prod):
    assert [(p.get("alias"), p["region"]) for p in prod.tf["provider"]["aws"]] == [
        (None, "us-west-2"),
        ("home", "us-east-2"),
    ]
    group = prod.one("aws_cognito_user_group")
    assert group["provider"] == "aws.home"
    assert group["name"] == "backend-inventory-prod-users"
    assert group["user_pool_id"] == "${data.terraform_remote_state.platform.outputs.user_pool_id}"


@pytest.mark.parametrize(
    "instance, protected, prod_settings",
    [
        (replace(DEV_INSTANCE, deletion_protection=True), True, False),
        (replace(PROD_INSTANCE, deletion_protection=False), False, True),
    ],
    ids=["dev-protected-on-request", "prod-unprotected-on-request"],
)
def test_the_tables_protection_is_the_instances_choice_not_its_environment(instance, protected, prod_settings):
    table = build(instance).one("aws_dynamodb_table")
    assert table["deletion_protection_enabled"] is protected
    assert table["lifecycle"]["prevent_destroy"] is protected
    # Billing and backups still follow the environment.
    assert table["billing_mode"] == ("PROVISIONED" if prod_settings else "PAY_PER_REQUEST")
    assert table["point_in_time_recovery"] == {"enabled": prod_settings}
