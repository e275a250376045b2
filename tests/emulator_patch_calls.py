"""What the tests of the emulator's fixes to moto send, in this process (tests/test_moto_server_inprocess.py) and on
the emulator's server (tests/test_emulator_patches.py): Application Auto Scaling calls and bucket-policy statements."""

from __future__ import annotations

READ = "dynamodb:table:ReadCapacityUnits"
WRITE = "dynamodb:table:WriteCapacityUnits"


def register(scaling, table: str, dimension: str = READ, **extra) -> str:
    """Register a DynamoDB table's capacity as a scalable target; its ARN, as RegisterScalableTarget answers."""
    return scaling.register_scalable_target(
        ServiceNamespace="dynamodb",
        ResourceId=f"table/{table}",
        ScalableDimension=dimension,
        MinCapacity=1,
        MaxCapacity=10,
        **extra,
    )["ScalableTargetARN"]


def tags(scaling, arn: str) -> dict[str, str]:
    return scaling.list_tags_for_resource(ResourceARN=arn)["Tags"]


def deregister(scaling, table: str, dimension: str = READ) -> None:
    scaling.deregister_scalable_target(
        ServiceNamespace="dynamodb", ResourceId=f"table/{table}", ScalableDimension=dimension
    )


def statement(effect: str, action: str, resource: str, condition: dict | None = None) -> dict:
    """One bucket-policy statement for everyone, with ``condition`` when given."""
    return {
        "Effect": effect,
        "Principal": "*",
        "Action": action,
        "Resource": resource,
        **({"Condition": condition} if condition else {}),
    }
