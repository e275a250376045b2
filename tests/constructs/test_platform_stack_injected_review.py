"""PlatformStack: the pages may call the HTTP API of every served region, not only the home region's.

An injected bug that passed the CDN's Content-Security-Policy only the home region (``api_regions=(home,)``)
failed no test but the golden snapshot (which a pull request regenerates): every app in us-west-2 would have its
API calls blocked by the browser. The fixture platform serves us-east-2 (home) and us-west-2.
"""

from __future__ import annotations

from test_platform_stack import assets, default  # noqa: F401 -- fixtures


def test_the_csp_lets_pages_call_the_apis_of_every_served_region_and_cognito(default):
    policy = default.one("aws_cloudfront_response_headers_policy")
    csp = policy["security_headers_config"]["content_security_policy"]["content_security_policy"]
    (connect,) = [d for d in csp.split("; ") if d.startswith("connect-src ")]
    assert connect == (
        "connect-src 'self' https://*.execute-api.us-east-2.amazonaws.com"
        " https://*.execute-api.us-west-2.amazonaws.com https://acme-login.auth.us-east-2.amazoncognito.com"
    )
