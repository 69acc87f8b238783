"""Playwright driving Debian's chromium (the project never downloads a browser).

`make test` installs Debian's chromium first when it is missing and it runs as root. Without
it these tests skip, and the end of the run names each one and says why, unless
FANGKONG_REQUIRE_BROWSER=1 (as in CI), where a missing browser is a failure.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("FANGKONG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
MISSING = (
    f"chromium is not installed at {CHROMIUM}: `make test` installs it when run as root "
    "(scripts/install-system-deps.sh browser, Debian's package); set FANGKONG_CHROMIUM to use "
    "another, or FANGKONG_REQUIRE_BROWSER=1 to fail instead of skipping"
)
# Playwright's sync API runs an event loop in this thread; the tests' own ORM calls are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("FANGKONG_REQUIRE_BROWSER"):
            pytest.fail(MISSING)
        pytest.skip(
            f"chromium is not installed at {CHROMIUM} (why and how: 'browser tests skipped')"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    import datetime as dt

    context = browser.new_context(**PHONE)
    # the phone's clock is the server's (the suite's afternoon, tests/conftest.py), ticking on
    context.clock.install(time=dt.datetime.now(dt.UTC))
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def pytest_terminal_summary(terminalreporter):
    """Name the browser tests that did not run, so a green run does not hide them."""
    skipped = [
        r.nodeid
        for r in terminalreporter.stats.get("skipped", [])
        if r.nodeid.startswith("tests/browser/")
    ]
    if not skipped:
        return
    terminalreporter.write_sep("=", f"{len(skipped)} browser tests skipped", yellow=True)
    for nodeid in skipped:
        terminalreporter.write_line(nodeid)
    terminalreporter.write_line(f"why: {MISSING}")


SHOTS = os.environ.get("FANGKONG_SCREENSHOTS")


def shot(page, name: str) -> None:
    """A full-page screenshot NAME.png in $FANGKONG_SCREENSHOTS (none when it is unset)."""
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def log_in(page, live_server, username: str) -> None:
    """Log in through the login page as a persona (password from the root conftest)."""
    from django.urls import reverse

    from ..conftest import PASSWORD

    page.goto(live_server.url + reverse("accounts:login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_load_state()


def fits_the_phone(page) -> None:
    """No sideways scroll on the 390 px screen."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
