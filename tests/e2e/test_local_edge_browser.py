"""End to end in a browser: after ``local up``, the local edge serves the apps and a person can use them.

Headless Chromium drives the real SPA through what the emulator holds: the
UI bucket through the deployed viewer function (CloudFront), the local Cognito
hosted UI (sign-in, single sign-on, sign-out), each app's HTTP API (JWT
authorizer, CORS) and the Lambda code bundle from the assets bucket, under the
distribution's applied response headers policy (the CSP, which the browser
enforces) and custom error responses (the not-found page).

It shares the session's ``local up`` (tests/e2e/conftest.py) and uses the
edge that ``local up`` started, at the URLs ``local status`` prints. Skipped
when terraform, chromium, chromedriver or selenium is missing, unless CI is
set, where it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from helpers import skip_or_fail  # noqa: E402

from generator.local import emulator as emu  # noqa: E402
from generator.local.edge import add_user, find_pool, running_edge  # noqa: E402

DEV, PROD = "john-inventory-dev", "team-backend-inventory-prod"
EMAIL = "jane.edge@example.com"
#: In the prod app's group only: signed in, the dev app must show her the no-access page.
OUTSIDER = "olivia.outsider@example.com"
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
CHROMEDRIVER = shutil.which("chromedriver") or (
    "/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else None
)
CHROME_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
)


def _missing() -> list[str]:
    missing = [
        name
        for name, found in (
            ("terraform", shutil.which("terraform")),
            ("chromium", CHROMIUM),
            ("chromedriver", CHROMEDRIVER),
        )
        if not found
    ]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium")
    return missing


@pytest.fixture(scope="module")
def emulator(local_session):
    """The session's ``local up`` (tests/e2e/conftest.py), which also started the local edge."""
    missing = _missing()
    if missing:
        skip_or_fail(f"the browser end-to-end test needs {', '.join(missing)}")
    return local_session


@pytest.fixture(scope="module")
def edge(emulator):
    """The edge ``local up`` started in the background, as ``local status`` reports it."""
    record = running_edge(emulator["workdir"])
    assert record is not None, "local up did not leave the local edge running"
    status = subprocess.run(
        [sys.executable, "main.py", "local", "status", "--json", "--workdir", str(emulator["workdir"])],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert status.returncode == 0, status.stderr
    apps = {app["name"]: app["local_url"] for app in json.loads(status.stdout)["apps"]}
    assert apps == {DEV: record.url_of(DEV), PROD: record.url_of(PROD)}
    return record


@pytest.fixture(scope="module")
def user(emulator):
    pool_id, region = find_pool(emulator["endpoint"])
    import boto3

    cognito = boto3.client(
        "cognito-idp",
        endpoint_url=emulator["endpoint"],
        region_name=region,
        aws_access_key_id=emu.ACCESS_KEY,
        aws_secret_access_key=emu.SECRET_KEY,
    )
    groups = {g["GroupName"] for g in cognito.list_groups(UserPoolId=pool_id)["Groups"]}
    # Each app's Cognito group is <base>-users (the API answers 403 to anyone outside it); both apps' here.
    assert {f"{DEV}-users", f"{PROD}-users"} <= groups, groups
    password = add_user(emulator["endpoint"], pool_id, EMAIL, f"{DEV}-users")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=EMAIL, GroupName=f"{PROD}-users")
    return {"email": EMAIL, "password": password, "pool_id": pool_id, "cognito": cognito}


@pytest.fixture(autouse=True)
def _timed(request, e2e_timings):
    """Each browser test's duration goes into the e2e timings (up + browser tests + down is the 6-minute budget)."""
    started = time.monotonic()
    yield
    e2e_timings[f"browser: {request.node.name}"] = time.monotonic() - started


@pytest.fixture(scope="module")
def browser(edge, tmp_path_factory, e2e_timings):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    started = time.monotonic()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*CHROME_FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    e2e_timings["browser: start chromium"] = time.monotonic() - started
    yield driver
    driver.quit()


def wait_for(driver, predicate, message, timeout=30):
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(
            driver,
            timeout,
            poll_frequency=0.1,
            ignored_exceptions=[StaleElementReferenceException, NoSuchElementException],
        ).until(lambda d: predicate(d))
    except Exception as exc:
        logs = "\n".join(str(entry) for entry in driver.get_log("browser"))
        raise AssertionError(f"timed out waiting for {message}\nurl={driver.current_url}\nconsole:\n{logs}") from exc


def css(driver, selector):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector)


def visible(selector):
    return lambda d: css(d, selector).is_displayed()


def rows(driver):
    return [
        tuple(r)
        for r in driver.execute_script(
            "return Array.from(document.querySelectorAll('#items tbody tr'))"
            ".map(r => [r.dataset.sku, r.querySelector('.quantity').innerText])"
        )
    ]


def listed(driver):
    """The list has loaded: rows, or the empty-list notice."""
    return bool(rows(driver)) or css(driver, "#empty").is_displayed()


def fill(driver, values):
    for name, value in values.items():
        element = css(driver, f"#f-{name}")
        element.clear()
        element.send_keys(str(value))


def api_status(url, token):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def test_sign_in_use_two_apps_by_single_sign_on_and_sign_out(edge, user, browser):
    driver = browser
    dev_url, prod_url = edge.url_of(DEV), edge.url_of(PROD)
    hosted_ui = edge.hosted_ui

    driver.get(dev_url.rstrip("/"))  # the viewer function redirects /<app> to /<app>/
    wait_for(driver, visible("#sign-in"), "the dev app's sign-in button")
    assert driver.current_url == dev_url
    css(driver, "#sign-in").click()
    wait_for(driver, visible("#signInFormUsername"), "the local hosted UI's sign-in form")
    assert driver.current_url.startswith(hosted_ui + "/login?")
    css(driver, "#signInFormUsername").send_keys(user["email"])
    css(driver, "#signInFormPassword").send_keys(user["password"])
    css(driver, "#signInSubmitButton").click()
    wait_for(driver, visible("#app-view"), "the dev app, signed in through /auth/callback")
    assert urlsplit(driver.current_url).path == urlsplit(dev_url).path and "code=" not in driver.current_url
    assert css(driver, "#user-email").text == user["email"]
    wait_for(driver, listed, "the item list (GET /items through the API and the Lambda)")

    # Add, edit, delete.
    css(driver, "#add-item").click()
    fill(driver, {"name": "Edge Widget", "sku": "EW-1", "quantity": 3, "location": "Shelf A", "unitPrice": "4.25"})
    css(driver, "#save-item").click()
    wait_for(driver, lambda d: ("EW-1", "3Low stock") in rows(d), "the new item")
    css(driver, '#items tbody tr[data-sku="EW-1"] button.edit').click()
    wait_for(driver, visible("#item-form"), "the edit form")
    fill(driver, {"quantity": 30})
    css(driver, "#save-item").click()
    wait_for(driver, lambda d: ("EW-1", "30") in rows(d), "the edited item")
    id_token = driver.execute_script(
        "return JSON.parse(sessionStorage.getItem('inventoryAuth.tokens.' + arguments[0])).idToken",
        urlsplit(dev_url).path,
    )
    delete = css(driver, '#items tbody tr[data-sku="EW-1"] button.delete')
    delete.click()
    delete.click()
    wait_for(driver, lambda d: "EW-1" not in [sku for sku, _ in rows(d)], "the deleted item to go")

    # The second app: single sign-on, no form.
    driver.get(prod_url)
    wait_for(driver, visible("#sign-in"), "the prod app's sign-in button")
    css(driver, "#sign-in").click()
    wait_for(driver, visible("#app-view"), "the prod app, signed in by single sign-on")
    assert css(driver, "#user-email").text == user["email"]
    wait_for(driver, listed, "the prod app's list")

    # Sign out (hosted UI /logout, then the shared /auth/logout page back to the app).
    css(driver, "#sign-out").click()
    wait_for(driver, lambda d: css(d, "#message").text == "You have signed out.", "the signed-out prod app")
    assert urlsplit(driver.current_url).path == urlsplit(prod_url).path
    css(driver, "#sign-in").click()  # the hosted-UI session ended: the form again
    wait_for(driver, visible("#signInFormUsername"), "the sign-in form after sign-out")

    # The dev app's ID token works on its API; a token for another client of the same pool does not.
    dev_api = json.loads(urllib.request.urlopen(dev_url + "config.json").read())["apiUrl"]
    assert api_status(dev_api + "/items", id_token) == 200
    cognito, pool_id = user["cognito"], user["pool_id"]
    other = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="edge-test-other-audience")["UserPoolClient"]
    try:
        foreign = cognito.admin_initiate_auth(
            UserPoolId=pool_id,
            ClientId=other["ClientId"],
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": user["email"], "PASSWORD": user["password"]},
        )
        assert api_status(dev_api + "/items", foreign["AuthenticationResult"]["IdToken"]) == 401
        assert api_status(dev_api + "/items", "not-a-token") == 401
    finally:
        cognito.delete_user_pool_client(UserPoolId=pool_id, ClientId=other["ClientId"])


def signed_out(driver, url):
    """A fresh start on ``url``: no hosted-UI session (cookies are per host, so this clears every local port's), no
    tokens in the app's sessionStorage."""
    driver.get(url)
    driver.delete_all_cookies()
    driver.execute_script("sessionStorage.clear(); localStorage.clear();")
    driver.get(url)


def test_a_user_without_the_apps_group_sees_the_no_access_page(emulator, edge, user, browser):
    """Signed in through the local hosted UI, but in another app's group only: the dev app's API (JWT authorizer,
    then the handler) answers 403 no_access, and the SPA shows the no-access page, not a broken list."""
    driver, dev_url = browser, edge.url_of(DEV)
    password = add_user(emulator["endpoint"], user["pool_id"], OUTSIDER, f"{PROD}-users")
    groups = user["cognito"].admin_list_groups_for_user(UserPoolId=user["pool_id"], Username=OUTSIDER)["Groups"]
    assert [g["GroupName"] for g in groups] == [f"{PROD}-users"]

    signed_out(driver, dev_url)
    wait_for(driver, visible("#sign-in"), "the dev app's sign-in button")
    css(driver, "#sign-in").click()
    wait_for(driver, visible("#signInFormUsername"), "the local hosted UI's sign-in form")
    css(driver, "#signInFormUsername").send_keys(OUTSIDER)
    css(driver, "#signInFormPassword").send_keys(password)
    css(driver, "#signInSubmitButton").click()
    wait_for(driver, visible("#no-access-view"), "the no-access page")
    view = css(driver, "#no-access-view")
    assert view.find_element("css selector", "h2").text == "No access to this app"
    assert f"You are signed in as {OUTSIDER}, but you have no access to {DEV}." in view.text
    assert f"{DEV}-users" in view.text  # the group to ask for
    assert not css(driver, "#app-view").is_displayed()
    assert driver.execute_script("return document.body.dataset.state") == "no-access"

    # The 403 came from the handler behind the local HTTP API, with the body the SPA read.
    id_token = driver.execute_script(
        "return JSON.parse(sessionStorage.getItem('inventoryAuth.tokens.' + arguments[0])).idToken",
        urlsplit(dev_url).path,
    )
    dev_api = json.loads(urllib.request.urlopen(dev_url + "config.json").read())["apiUrl"]
    assert dev_api in edge.apis.values()
    request = urllib.request.Request(dev_api + "/items", headers={"Authorization": f"Bearer {id_token}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 403
    assert json.loads(refused.value.read())["error"] == "no_access"


def test_pages_carry_the_applied_csp_which_the_browser_enforces_and_missing_paths_get_the_not_found_page(edge, browser):
    """The distribution's response headers policy (applied on the emulator, read back by the edge) is on every
    page; the browser enforces it (a fetch to an origin it does not list is refused), and the SPA works under it
    (the sign-in test above). A missing path gets the distribution's not-found page with status 404."""
    driver, dev_url = browser, edge.url_of(DEV)
    with urllib.request.urlopen(dev_url, timeout=30) as response:
        csp = response.headers["Content-Security-Policy"]
    assert csp.startswith("default-src 'none'; script-src 'self'; style-src 'self';")
    connect = next(d for d in csp.split("; ") if d.startswith("connect-src "))
    dev_api = json.loads(urllib.request.urlopen(dev_url + "config.json").read())["apiUrl"]
    assert "https://*.execute-api.us-east-2.amazonaws.com" in connect and dev_api in connect.split()
    assert edge.hosted_ui in connect.split()

    signed_out(driver, dev_url)
    wait_for(driver, visible("#sign-in"), "the dev app's sign-in button")
    violated = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        document.addEventListener('securitypolicyviolation', (e) => done(e.effectiveDirective), { once: true });
        fetch('https://not-listed.example.com/').catch(() => {});
        setTimeout(() => done(null), 5000);
        """
    )
    assert violated == "connect-src"

    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(edge.site + "/no-such-app/", timeout=30)
    assert missing.value.code == 404
    assert 'id="not-found"' in missing.value.read().decode()
    assert missing.value.headers["Content-Security-Policy"] == csp
    driver.get(edge.url_of(DEV) + "no-such-file.js")
    wait_for(driver, visible("#not-found"), "the not-found page in the browser")
    assert css(driver, "#not-found").text == "Page not found"
