"""The viewer-request CloudFront Function on deep links whose dot is in an earlier segment, not the last.

Only the last segment decides whether a path is a file: ``/<app>/users/jane.doe/items`` is a route of the SPA
(its index.html), ``/<app>/v1.2/app.js`` a file. An injected bug that looked for a dot anywhere in the path
passed the suite's table of rewrites.
"""

import pytest
from test_app_cloudfront_function import event, run_function  # noqa: F401 -- fixture

CASES = [
    ("/john-inventory-dev/users/jane.doe/items", "/john-inventory-dev/index.html"),
    ("/john-inventory-dev/v1.2/settings/", "/john-inventory-dev/index.html"),
    ("/john-inventory-dev/items/a.b/c", "/john-inventory-dev/index.html"),
    ("/john-inventory-dev/v1.2/app.js", "/john-inventory-dev/v1.2/app.js"),
    ("/john-inventory-dev/users/jane.doe", "/john-inventory-dev/users/jane.doe"),
]


@pytest.mark.parametrize("uri, expected", CASES, ids=[c[0] for c in CASES])
def test_only_the_last_segment_decides_file_or_route(run_function, uri, expected):
    (result,) = run_function([event(uri)])
    assert "error" not in result, result
    assert result["ok"]["uri"] == expected
    assert "statusCode" not in result["ok"]
