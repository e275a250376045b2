"""The shared callback page shows the identity provider's error as text, never as markup.

An injected bug (``message.innerHTML = text`` in ui/auth/auth-common.js) passed every callback test: their error
texts held no markup. ``error`` and ``error_description`` come from the address bar, so markup in them must be
shown as the characters it is and create no element. Same stack and browser as tests/app/test_app_browser.py.
"""

import uuid
from urllib.parse import quote

from test_app_browser import (  # noqa: F401 -- fixtures
    PREFIX,
    browser,
    created_ms_ago,
    css,
    no_csp_violations,
    stack,
    store_pending,
    synthesized_csp,
    verdict,
    wait_for,
)

MARKUP = '<b id="injected">bold</b><a id="evil-link" href="https://evil.example/">continue</a>'


def test_the_providers_error_text_is_shown_as_text(stack, browser):
    site, nonce = stack["site"], "n" + uuid.uuid4().hex
    store_pending(browser, site, nonce, {"prefix": PREFIX, "createdAt": created_ms_ago(browser, 0)})
    state = quote(f"{nonce}:{PREFIX}", safe="")
    query = f"error={quote('<i>denied</i>', safe='')}&error_description={quote(MARKUP, safe='')}"
    browser.get(f"{site}/auth/callback?{query}&state={state}")
    wait_for(browser, lambda d: css(d, "body").get_attribute("data-status"), message="the callback verdict")
    assert verdict(browser)[:4] == (
        "error",
        f"Sign-in did not complete: <i>denied</i> ({MARKUP})",
        site + PREFIX,
        "/auth/callback",
    )
    assert browser.find_elements("css selector", "#message *") == []
    assert browser.find_elements("css selector", "#injected, #evil-link, i") == []
