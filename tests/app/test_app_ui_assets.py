"""Static checks on the UI template and auth pages the platform publishes as-is."""

import json
import re

from app_helpers import UI_DIR

CONTRACT_CONFIG_KEYS = {
    "apiUrl",
    "region",
    "userPoolId",
    "clientId",
    "cognitoDomain",
    "domain",
    "prefix",
    "appName",
    "environment",
    "redirectUri",
    "logoutUri",
}


def _urls(html):
    return re.findall(r'\b(?:href|src)="([^"]*)"', html)


def test_inventory_template_uses_only_relative_urls():
    files = sorted(
        p.relative_to(UI_DIR / "inventory").as_posix() for p in (UI_DIR / "inventory").rglob("*") if p.is_file()
    )
    assert files == ["app.js", "index.html", "styles.css"]
    html = (UI_DIR / "inventory" / "index.html").read_text()
    assert _urls(html) == ["./", "styles.css", "app.js"]  # "./": the base each app replaces with /<base name>/
    assert "<script>" not in html and "<style" not in html and " style=" not in html  # the CSP allows no inline code
    script = (UI_DIR / "inventory" / "app.js").read_text()
    # Every fetch outside the prefix goes to a configured absolute base, never a root path.
    assert re.findall(r"fetch\(\s*'([^']*)'", script) == ["config.json"]
    # Navigation leaves the prefix only for the Cognito hosted UI.
    assert re.findall(r"location\.assign\((\w+\(\))", script) == ["cognitoBase()", "cognitoBase()"]


def test_app_reads_exactly_the_contract_config_keys():
    script = (UI_DIR / "inventory" / "app.js").read_text()
    listed = re.search(r"const CONFIG_KEYS = \[([^\]]*)\]", script).group(1)
    assert set(json.loads("[" + listed.replace("'", '"') + "]")) == CONTRACT_CONFIG_KEYS
    used = set(re.findall(r"(?<![\w'])config\.([a-zA-Z]+)", script))
    assert used <= CONTRACT_CONFIG_KEYS, used - CONTRACT_CONFIG_KEYS


def test_auth_pages_reference_only_the_shared_auth_folder():
    for page in ("callback", "logout"):
        html = (UI_DIR / "auth" / page / "index.html").read_text()
        urls = _urls(html)
        assert urls and all(u.startswith("/auth/") for u in urls), urls
        for url in urls:
            assert (UI_DIR / url.lstrip("/")).is_file(), url
        assert '<meta name="referrer" content="no-referrer">' in html


def test_every_published_file_has_a_known_content_type():
    allowed = {".html", ".js", ".css", ".json", ".svg", ".png", ".ico"}
    for path in UI_DIR.rglob("*"):
        if path.is_file():
            assert path.suffix in allowed, path
