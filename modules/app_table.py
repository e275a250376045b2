"""The app's DynamoDB table (partition key ``id``, the contract of lambda_code/app.py)."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.appautoscaling_policy import (
    AppautoscalingPolicy,
    AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration,
    AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification,
)
from cdktf_cdktf_provider_aws.appautoscaling_target import AppautoscalingTarget
from cdktf_cdktf_provider_aws.dynamodb_table import DynamodbTable, DynamodbTableAttribute
from constructs import Construct


@dataclass(frozen=True)
class AppTableProps:
    """``provisioned``: PROVISIONED billing (the seed's prod setting), auto scaled; else on-demand.

    ``capacity`` is the initial RCU/WCU and the scaling minimum, ``max_capacity`` the scaling maximum;
    ``target_utilization`` the consumed/provisioned percentage target tracking keeps.
    ``protect`` turns on deletion protection and prevent_destroy; ``point_in_time_recovery`` keeps 35 days of backups.
    """

    table_name: str
    provisioned: bool
    protect: bool
    point_in_time_recovery: bool
    capacity: int = 5
    max_capacity: int = 100
    target_utilization: float = 70.0


class AppTable(Construct):
    def __init__(self, scope: Construct, id: str, props: AppTableProps):
        super().__init__(scope, id)
        capacity = props.capacity if props.provisioned else None
        self.table = DynamodbTable(
            self,
            "table",
            name=props.table_name,
            hash_key="id",
            attribute=[DynamodbTableAttribute(name="id", type="S")],
            billing_mode="PROVISIONED" if props.provisioned else "PAY_PER_REQUEST",
            read_capacity=capacity,
            write_capacity=capacity,
            server_side_encryption={"enabled": True},
            point_in_time_recovery={"enabled": props.point_in_time_recovery},
            deletion_protection_enabled=props.protect,
            # Auto scaling owns the capacities once applied; Terraform must not reset them on every plan.
            lifecycle=TerraformResourceLifecycle(
                prevent_destroy=props.protect,
                ignore_changes=["read_capacity", "write_capacity"] if props.provisioned else None,
            ),
        )
        if props.provisioned:
            for kind in ("read", "write"):
                self._autoscaling(kind, props)

    def _autoscaling(self, kind: str, props: AppTableProps) -> None:
        """Target tracking on one capacity dimension (Application Auto Scaling's service-linked role)."""
        unit = "Read" if kind == "read" else "Write"
        target = AppautoscalingTarget(
            self,
            f"{kind}-capacity-target",
            service_namespace="dynamodb",
            resource_id=f"table/{self.table.name}",
            scalable_dimension=f"dynamodb:table:{unit}CapacityUnits",
            min_capacity=props.capacity,
            max_capacity=props.max_capacity,
        )
        AppautoscalingPolicy(
            self,
            f"{kind}-capacity-policy",
            name=f"{props.table_name}-{kind}-capacity",
            policy_type="TargetTrackingScaling",
            service_namespace=target.service_namespace,
            resource_id=target.resource_id,
            scalable_dimension=target.scalable_dimension,
            target_tracking_scaling_policy_configuration=AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration(
                target_value=props.target_utilization,
                predefined_metric_specification=AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification(
                    predefined_metric_type=f"DynamoDB{unit}CapacityUtilization"
                ),
            ),
        )
