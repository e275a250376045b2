"""The distribution's certificate: an existing ACM ARN, or one requested and DNS-validated in Route 53."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformProvider, TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.acm_certificate import AcmCertificate
from cdktf_cdktf_provider_aws.acm_certificate_validation import AcmCertificateValidation
from cdktf_cdktf_provider_aws.route53_record import Route53Record
from constructs import Construct


@dataclass(frozen=True)
class CertificateProps:
    """``provider`` must be in us-east-1 (CloudFront only uses certificates there).

    ``existing_arn``: use this certificate and create nothing. Default: request one for ``domain``.
    """

    domain: str
    hosted_zone_id: str
    provider: TerraformProvider
    existing_arn: str | None = None


class Certificate(Construct):
    """``arn`` is the certificate to attach, available only once validated."""

    def __init__(self, scope: Construct, id: str, props: CertificateProps):
        super().__init__(scope, id)
        if props.existing_arn:
            self.arn = props.existing_arn
            return
        cert = AcmCertificate(
            self,
            "certificate",
            provider=props.provider,
            domain_name=props.domain,
            validation_method="DNS",
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )
        # One domain, so exactly one validation option.
        option = cert.domain_validation_options.get(0)
        record = Route53Record(
            self,
            "validation-record",
            zone_id=props.hosted_zone_id,
            name=option.resource_record_name,
            type=option.resource_record_type,
            records=[option.resource_record_value],
            ttl=60,
            allow_overwrite=True,
        )
        validation = AcmCertificateValidation(
            self,
            "validation",
            provider=props.provider,
            certificate_arn=cert.arn,
            validation_record_fqdns=[record.fqdn],
        )
        self.arn = validation.certificate_arn
