"""The app's DynamoDB table (partition key ``id``, the contract of lambda_code/app.py)."""
from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.dynamodb_table import DynamodbTable, DynamodbTableAttribute
from constructs import Construct


@dataclass(frozen=True)
class AppTableProps:
    """``provisioned``: PROVISIONED billing with ``capacity`` RCU/WCU (the seed's prod setting); else on-demand.

    ``protect`` turns on deletion protection and prevent_destroy; ``point_in_time_recovery`` keeps 35 days of backups.
    """

    table_name: str
    provisioned: bool
    protect: bool
    point_in_time_recovery: bool
    capacity: int = 5


class AppTable(Construct):
    def __init__(self, scope: Construct, id: str, props: AppTableProps):
        super().__init__(scope, id)
        capacity = props.capacity if props.provisioned else None
        self.table = DynamodbTable(
            self, "table", name=props.table_name, hash_key="id", attribute=[DynamodbTableAttribute(name="id", type="S")],
            billing_mode="PROVISIONED" if props.provisioned else "PAY_PER_REQUEST",
            read_capacity=capacity, write_capacity=capacity,
            server_side_encryption={"enabled": True},
            point_in_time_recovery={"enabled": props.point_in_time_recovery},
            deletion_protection_enabled=props.protect,
            lifecycle=TerraformResourceLifecycle(prevent_destroy=props.protect),
        )
