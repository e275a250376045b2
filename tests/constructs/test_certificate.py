"""Certificate: CloudFront's certificate. By default it requests one for the domain in us-east-1 (DNS validated,
create-before-destroy), writes the validation record in the hosted zone and exposes the ARN only once validated.
Optional prop ``existing_arn``: create nothing and use that ARN.

The construct needs a provider, so it is synthesized in a bare TerraformStack holding a us-east-1 AwsProvider
(see fixtures.py: Testing.synth_scope cannot take a Python callable); ``arn`` is read through an output.
"""

from __future__ import annotations

from cdktf import TerraformOutput, TerraformStack, Testing
from cdktf_cdktf_provider_aws.acm_certificate import AcmCertificate
from cdktf_cdktf_provider_aws.acm_certificate_validation import AcmCertificateValidation
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.route53_record import Route53Record
from fixtures import Synthesized, synth

from modules.certificate import Certificate, CertificateProps

EXISTING = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
CERT = AcmCertificate.TF_RESOURCE_TYPE
VALIDATION = AcmCertificateValidation.TF_RESOURCE_TYPE
RECORD = Route53Record.TF_RESOURCE_TYPE


def build(existing_arn: str | None = None) -> Synthesized:
    def construct(stack: TerraformStack):
        us_east_1 = AwsProvider(stack, "aws-us-east-1", region="us-east-1", alias="us-east-1")
        certificate = Certificate(
            stack,
            "certificate",
            CertificateProps(
                domain="apps.example.com",
                hosted_zone_id="Z0123456789EXAMPLE",
                provider=us_east_1,
                existing_arn=existing_arn,
            ),
        )
        TerraformOutput(stack, "arn", value=certificate.arn)

    return synth(construct)


def test_requests_a_dns_validated_certificate_in_us_east_1():
    assert build().one(CERT) == {
        "domain_name": "apps.example.com",
        "validation_method": "DNS",
        "provider": "aws.us-east-1",
        "lifecycle": {"create_before_destroy": True},
    }


def test_writes_the_validation_record_in_the_hosted_zone():
    out = build()
    option = f"tolist({out.address(CERT, 'certificate')}.domain_validation_options).0"
    assert out.one(RECORD) == {
        "zone_id": "Z0123456789EXAMPLE",
        "name": f"${{{option}.resource_record_name}}",
        "type": f"${{{option}.resource_record_type}}",
        "records": [f"${{{option}.resource_record_value}}"],
        "ttl": 60,
        "allow_overwrite": True,
    }


def test_arn_is_the_validated_certificate():
    out = build()
    validation = out.address(VALIDATION, "validation")
    assert out.one(VALIDATION) == {
        "certificate_arn": f"${{{out.address(CERT, 'certificate')}.arn}}",
        "validation_record_fqdns": [f"${{{out.address(RECORD, 'validation-record')}.fqdn}}"],
        "provider": "aws.us-east-1",
    }
    assert out.tf["output"]["arn"]["value"] == f"${{{validation}.certificate_arn}}"


def test_existing_arn_creates_nothing_and_is_used_as_is():
    out = build(EXISTING)
    assert "resource" not in out.tf
    assert out.tf["output"]["arn"]["value"] == EXISTING
    assert Testing.to_have_resource(build().text, CERT)
    assert not Testing.to_have_resource(out.text, CERT)
