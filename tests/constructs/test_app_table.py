"""AppTable: the app's DynamoDB table (partition key ``id``), on-demand by default, provisioned and auto scaled
for prod, with deletion protection and point-in-time recovery as switches.

Synthesized in a bare TerraformStack (see fixtures.py: Testing.synth_scope cannot take a Python callable).
"""

from __future__ import annotations

from dataclasses import replace

from cdktf import Testing
from cdktf_cdktf_provider_aws.appautoscaling_policy import AppautoscalingPolicy
from cdktf_cdktf_provider_aws.appautoscaling_target import AppautoscalingTarget
from cdktf_cdktf_provider_aws.dynamodb_table import DynamodbTable
from fixtures import Synthesized, synth

from modules.app_table import AppTable, AppTableProps

DEV = AppTableProps(table_name="john-inventory-dev", provisioned=False, protect=False, point_in_time_recovery=False)
PROD = AppTableProps(table_name="backend-inventory-prod", provisioned=True, protect=True, point_in_time_recovery=True)
TABLE = DynamodbTable.TF_RESOURCE_TYPE


def build(props: AppTableProps) -> Synthesized:
    return synth(lambda stack: AppTable(stack, "table", props))


def test_defaults_are_an_on_demand_encrypted_table_keyed_by_id():
    out = build(DEV)
    table = out.one(TABLE)
    assert table["name"] == "john-inventory-dev"
    assert table["hash_key"] == "id"
    assert table["attribute"] == [{"name": "id", "type": "S"}]
    assert table["billing_mode"] == "PAY_PER_REQUEST"
    assert "read_capacity" not in table and "write_capacity" not in table
    assert table["server_side_encryption"] == {"enabled": True}
    assert table["point_in_time_recovery"] == {"enabled": False}
    assert table["deletion_protection_enabled"] is False
    assert table["lifecycle"] == {"prevent_destroy": False}
    assert out.resources(AppautoscalingTarget.TF_RESOURCE_TYPE) == []
    assert out.resources(AppautoscalingPolicy.TF_RESOURCE_TYPE) == []


def test_provisioned_bills_per_capacity_and_lets_auto_scaling_own_it():
    out = build(replace(DEV, provisioned=True))
    assert Testing.to_have_resource_with_properties(
        out.text, TABLE, {"billing_mode": "PROVISIONED", "read_capacity": 5, "write_capacity": 5}
    )
    assert not Testing.to_have_resource_with_properties(build(DEV).text, TABLE, {"billing_mode": "PROVISIONED"})
    assert out.one(TABLE)["lifecycle"] == {
        "prevent_destroy": False,
        "ignore_changes": ["read_capacity", "write_capacity"],
    }


def test_provisioned_table_scales_reads_and_writes_by_target_tracking():
    out = build(replace(DEV, provisioned=True))
    table = out.address(TABLE, "table")
    targets = {t["scalable_dimension"]: t for t in out.resources(AppautoscalingTarget.TF_RESOURCE_TYPE)}
    assert sorted(targets) == ["dynamodb:table:ReadCapacityUnits", "dynamodb:table:WriteCapacityUnits"]
    for target in targets.values():
        assert target["service_namespace"] == "dynamodb"
        assert target["resource_id"] == f"table/${{{table}.name}}"
        assert (target["min_capacity"], target["max_capacity"]) == (5, 100)
    policies = {p["name"]: p for p in out.resources(AppautoscalingPolicy.TF_RESOURCE_TYPE)}
    assert sorted(policies) == ["john-inventory-dev-read-capacity", "john-inventory-dev-write-capacity"]
    for kind, metric in (("read", "DynamoDBReadCapacityUtilization"), ("write", "DynamoDBWriteCapacityUtilization")):
        policy = policies[f"john-inventory-dev-{kind}-capacity"]
        assert policy["policy_type"] == "TargetTrackingScaling"
        assert policy["target_tracking_scaling_policy_configuration"] == {
            "predefined_metric_specification": {"predefined_metric_type": metric},
            "target_value": 70,
        }
        target = out.address(AppautoscalingTarget.TF_RESOURCE_TYPE, f"{kind}-capacity-target")
        assert policy["resource_id"] == f"${{{target}.resource_id}}"
        assert policy["scalable_dimension"] == f"${{{target}.scalable_dimension}}"


def test_protect_turns_on_deletion_protection_and_prevent_destroy():
    default, protected = build(DEV).one(TABLE), build(replace(DEV, protect=True)).one(TABLE)
    assert (default["deletion_protection_enabled"], default["lifecycle"]["prevent_destroy"]) == (False, False)
    assert (protected["deletion_protection_enabled"], protected["lifecycle"]["prevent_destroy"]) == (True, True)


def test_point_in_time_recovery_switch():
    assert build(DEV).one(TABLE)["point_in_time_recovery"] == {"enabled": False}
    assert build(replace(DEV, point_in_time_recovery=True)).one(TABLE)["point_in_time_recovery"] == {"enabled": True}


def test_prod_settings_together():
    out = build(PROD)
    assert Testing.to_have_resource_with_properties(
        out.text,
        TABLE,
        {
            "name": "backend-inventory-prod",
            "billing_mode": "PROVISIONED",
            "deletion_protection_enabled": True,
            "point_in_time_recovery": {"enabled": True},
            "server_side_encryption": {"enabled": True},
            "lifecycle": {"prevent_destroy": True},
        },
    )


def test_capacity_sets_initial_capacity_and_scaling_minimum():
    out = build(replace(PROD, capacity=10))
    table = out.one(TABLE)
    assert (table["read_capacity"], table["write_capacity"]) == (10, 10)
    assert [t["min_capacity"] for t in out.resources(AppautoscalingTarget.TF_RESOURCE_TYPE)] == [10, 10]
    assert build(PROD).one(TABLE)["read_capacity"] == 5


def test_capacity_is_ignored_for_on_demand_tables():
    table = build(replace(DEV, capacity=10)).one(TABLE)
    assert "read_capacity" not in table and "write_capacity" not in table


def test_max_capacity_sets_the_scaling_maximum():
    target = AppautoscalingTarget.TF_RESOURCE_TYPE
    changed = [t["max_capacity"] for t in build(replace(PROD, max_capacity=40)).resources(target)]
    default = [t["max_capacity"] for t in build(PROD).resources(target)]
    assert (changed, default) == ([40, 40], [100, 100])


def test_target_utilization_sets_the_tracked_percentage():
    def targets(props: AppTableProps) -> list[float]:
        return [
            p["target_tracking_scaling_policy_configuration"]["target_value"]
            for p in build(props).resources(AppautoscalingPolicy.TF_RESOURCE_TYPE)
        ]

    assert targets(replace(PROD, target_utilization=50.5)) == [50.5, 50.5]
    assert targets(PROD) == [70, 70]
