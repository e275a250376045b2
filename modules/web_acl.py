"""The WAFv2 web ACL in front of the shared CloudFront distribution.

A CLOUDFRONT-scope web ACL must be created in us-east-1, so ``provider`` is
the us-east-1 alias. Rules, in priority order: the per-IP rate limit (block),
then the AWS managed rule groups Common (OWASP-style), KnownBadInputs (Log4j
JNDI lookups among others), AmazonIpReputationList and AnonymousIpList (Tor,
anonymising VPNs and proxies; its hosting-provider rule only counts). checkov's
Log4j check (CKV2_AWS_47) asks for the last one too. Every rule and the ACL
publish CloudWatch metrics and sampled requests. Logs go to a CloudWatch log
group in us-east-1 named ``aws-waf-logs-*`` (WAF's required prefix) with the
``authorization`` and ``cookie`` headers redacted (tokens never reach logs).
https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-list.html
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformProvider
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.wafv2_web_acl import (
    Wafv2WebAcl,
    Wafv2WebAclDefaultAction,
    Wafv2WebAclRule,
    Wafv2WebAclRuleAction,
    Wafv2WebAclRuleOverrideAction,
    Wafv2WebAclRuleVisibilityConfig,
    Wafv2WebAclVisibilityConfig,
)
from cdktf_cdktf_provider_aws.wafv2_web_acl_logging_configuration import (
    Wafv2WebAclLoggingConfiguration,
    Wafv2WebAclLoggingConfigurationRedactedFields,
    Wafv2WebAclLoggingConfigurationRedactedFieldsSingleHeader,
)
from constructs import Construct

#: The AWS managed rule groups, in evaluation order after the rate limit (none of them costs extra; 975 of the
#: 1,500 WCU a web ACL gets without a surcharge).
MANAGED_RULE_GROUPS = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesAnonymousIpList",
)
#: Rules of a managed group that only count instead of block. HostingProviderIPList would block every request from
#: a cloud host (CI runners, a developer's cloud desktop, corporate egress through a cloud proxy); AWS suggests
#: count mode where such traffic is legitimate. Its matches still show in the metrics and logs.
COUNT_ONLY = {"AWSManagedRulesAnonymousIpList": ("HostingProviderIPList",)}
#: Headers that carry credentials (the SPA's bearer token, Cognito cookies): never logged.
REDACTED_HEADERS = ("authorization", "cookie")


@dataclass(frozen=True)
class WebAclProps:
    """``rate_limit``: requests one IP may send in any 5-minute window before it is blocked.

    ``provider`` must be in us-east-1 (CloudFront scope). ``log_retention_days`` is the log group's retention.
    """

    acl_name: str
    log_group_name: str
    rate_limit: int
    log_retention_days: int
    provider: TerraformProvider


def _visibility(metric_name: str) -> dict:
    return {"cloudwatch_metrics_enabled": True, "metric_name": metric_name, "sampled_requests_enabled": True}


class WebAcl(Construct):
    """The web ACL (``acl.arn`` is the distribution's ``web_acl_id``) and its logging."""

    def __init__(self, scope: Construct, id: str, props: WebAclProps):
        super().__init__(scope, id)
        p = props.provider
        # The bindings type a rule's statement as Any (the block nests too deeply to generate), so the statements
        # are plain mappings with Terraform's own block names; tests/test_stacks.py checks they reach the JSON.
        rules = [
            Wafv2WebAclRule(
                name="rate-limit-per-ip",
                priority=0,
                action=Wafv2WebAclRuleAction(block={}),
                statement={"rate_based_statement": {"limit": props.rate_limit, "aggregate_key_type": "IP"}},
                visibility_config=Wafv2WebAclRuleVisibilityConfig(**_visibility("rate-limit-per-ip")),
            )
        ]
        for priority, group in enumerate(MANAGED_RULE_GROUPS, start=1):
            rules.append(
                Wafv2WebAclRule(
                    name=group,
                    priority=priority,
                    override_action=Wafv2WebAclRuleOverrideAction(none={}),
                    statement={
                        "managed_rule_group_statement": {
                            "vendor_name": "AWS",
                            "name": group,
                            **(
                                {
                                    "rule_action_override": [
                                        {"name": rule, "action_to_use": {"count": {}}} for rule in COUNT_ONLY[group]
                                    ]
                                }
                                if group in COUNT_ONLY
                                else {}
                            ),
                        }
                    },
                    visibility_config=Wafv2WebAclRuleVisibilityConfig(**_visibility(group)),
                )
            )
        self.acl = Wafv2WebAcl(
            self,
            "acl",
            name=props.acl_name,
            scope="CLOUDFRONT",
            provider=p,
            description="Shared distribution: AWS managed rules and a per-IP rate limit",
            default_action=Wafv2WebAclDefaultAction(allow={}),
            rule=rules,
            visibility_config=Wafv2WebAclVisibilityConfig(**_visibility(props.acl_name)),
        )
        logs = CloudwatchLogGroup(
            self, "log-group", name=props.log_group_name, provider=p, retention_in_days=props.log_retention_days
        )
        Wafv2WebAclLoggingConfiguration(
            self,
            "logging",
            resource_arn=self.acl.arn,
            log_destination_configs=[logs.arn],
            provider=p,
            redacted_fields=[
                Wafv2WebAclLoggingConfigurationRedactedFields(
                    single_header=Wafv2WebAclLoggingConfigurationRedactedFieldsSingleHeader(name=header)
                )
                for header in REDACTED_HEADERS
            ],
        )
