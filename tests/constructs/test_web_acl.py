"""WebAcl: the CLOUDFRONT-scope WAFv2 web ACL. Rules in order: a per-IP rate limit that blocks, then the AWS
managed groups Common, KnownBadInputs, AmazonIpReputationList and AnonymousIpList (its HostingProviderIPList rule
only counts). Default action allow; metrics and sampled requests everywhere; logs to an ``aws-waf-logs-*`` log
group with the authorization and cookie headers redacted; everything through the us-east-1 provider.

The construct needs a provider, so it is synthesized in a bare TerraformStack holding a us-east-1 AwsProvider
(see fixtures.py: Testing.synth_scope cannot take a Python callable).
"""

from __future__ import annotations

from cdktf import TerraformStack, Testing
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.wafv2_web_acl import Wafv2WebAcl
from cdktf_cdktf_provider_aws.wafv2_web_acl_logging_configuration import Wafv2WebAclLoggingConfiguration
from fixtures import Synthesized, synth

from modules.web_acl import WebAcl, WebAclProps

ACL = Wafv2WebAcl.TF_RESOURCE_TYPE
LOG_GROUP = CloudwatchLogGroup.TF_RESOURCE_TYPE


def build(rate_limit: int = 2000, log_retention_days: int = 30) -> Synthesized:
    def construct(stack: TerraformStack):
        us_east_1 = AwsProvider(stack, "aws-us-east-1", region="us-east-1", alias="us-east-1")
        WebAcl(
            stack,
            "web-acl",
            WebAclProps(
                acl_name="acme-web-acl",
                log_group_name="aws-waf-logs-acme",
                rate_limit=rate_limit,
                log_retention_days=log_retention_days,
                provider=us_east_1,
            ),
        )

    return synth(construct)


def visibility(metric: str) -> dict:
    return {"cloudwatch_metrics_enabled": True, "metric_name": metric, "sampled_requests_enabled": True}


def managed(priority: int, group: str, **extra) -> dict:
    return {
        "name": group,
        "priority": priority,
        "override_action": {"none": {}},
        "statement": {"managed_rule_group_statement": {"vendor_name": "AWS", "name": group, **extra}},
        "visibility_config": visibility(group),
    }


def test_acl_has_cloudfront_scope_allows_by_default_and_uses_us_east_1():
    acl = build().one(ACL)
    assert (acl["name"], acl["scope"], acl["provider"]) == ("acme-web-acl", "CLOUDFRONT", "aws.us-east-1")
    assert acl["default_action"] == {"allow": {}}
    assert acl["visibility_config"] == visibility("acme-web-acl")


def test_rules_are_the_rate_limit_then_four_managed_groups_in_order():
    assert build().one(ACL)["rule"] == [
        {
            "name": "rate-limit-per-ip",
            "priority": 0,
            "action": {"block": {}},
            "statement": {"rate_based_statement": {"limit": 2000, "aggregate_key_type": "IP"}},
            "visibility_config": visibility("rate-limit-per-ip"),
        },
        managed(1, "AWSManagedRulesCommonRuleSet"),
        managed(2, "AWSManagedRulesKnownBadInputsRuleSet"),
        managed(3, "AWSManagedRulesAmazonIpReputationList"),
        managed(
            4,
            "AWSManagedRulesAnonymousIpList",
            rule_action_override=[{"name": "HostingProviderIPList", "action_to_use": {"count": {}}}],
        ),
    ]


def test_rate_limit_sets_the_per_ip_limit():
    def limit(out: Synthesized) -> int:
        return out.one(ACL)["rule"][0]["statement"]["rate_based_statement"]["limit"]

    assert (limit(build(rate_limit=500)), limit(build())) == (500, 2000)


def test_logs_go_to_a_waf_log_group_in_us_east_1_without_credentials():
    out = build()
    assert out.one(LOG_GROUP) == {"name": "aws-waf-logs-acme", "retention_in_days": 30, "provider": "aws.us-east-1"}
    assert out.one(Wafv2WebAclLoggingConfiguration.TF_RESOURCE_TYPE) == {
        "resource_arn": f"${{{out.address(ACL, 'web-acl')}.arn}}",
        "log_destination_configs": [f"${{{out.address(LOG_GROUP, 'log-group')}.arn}}"],
        "redacted_fields": [{"single_header": {"name": "authorization"}}, {"single_header": {"name": "cookie"}}],
        "provider": "aws.us-east-1",
    }


def test_log_retention_days_sets_the_log_groups_retention():
    assert Testing.to_have_resource_with_properties(
        build(log_retention_days=90).text, LOG_GROUP, {"retention_in_days": 90}
    )
    assert build().one(LOG_GROUP)["retention_in_days"] == 30


def test_acl_name_names_the_acl_and_its_metric():
    def construct(stack: TerraformStack):
        provider = AwsProvider(stack, "aws-us-east-1", region="us-east-1", alias="us-east-1")
        WebAcl(stack, "web-acl", WebAclProps("other-acl", "aws-waf-logs-other", 2000, 30, provider))

    acl = synth(construct).one(ACL)
    assert (acl["name"], acl["visibility_config"]["metric_name"]) == ("other-acl", "other-acl")
