"""The browser-test harness: Playwright's sync API drives Debian's Chromium against
pytest-django's live server, plus helpers to sign in, check a page with axe-core and keep
screenshots for a person to look at.

Every test under tests/browser is marked ``browser`` (deselect with ``-m "not browser"``)
and is skipped when /usr/bin/chromium is not installed. Playwright's own browser
downloads are never used.
"""

import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
BROWSER_TESTS = Path(__file__).resolve().parent
ROOT = BROWSER_TESTS.parents[1]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BUILT_CSS = ROOT / "static" / "dist" / "app.css"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The standards the service is held to (WCAG 2.2 AA, which includes 2.0 and 2.1 A/AA).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Fail fast: a page of this service answers in well under a second on the live server.
DEFAULT_TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config, items):
    # A conftest hook sees every item of the session, so only touch our own.
    skip = pytest.mark.skip(
        reason=f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    )
    for item in items:
        if BROWSER_TESTS in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item so the page fixture can screenshot a failure.
    report = yield
    if "browser" in item.keywords:
        setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session (starting one costs about a second)."""
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    if not BUILT_CSS.exists():
        pytest.fail("static/dist is missing: run `npm run build` before the browser tests")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread, which makes Django
    # refuse ORM calls from it (factories, the transactional_db flush). Allowed only while
    # the browser runs, so that the rest of the suite keeps Django's async-safety check.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()


@pytest.fixture
def page(request, browser, live_server):
    """A fresh browser context (no cookies) per test, on the live server, at desk size.

    Uncaught script errors, console errors and failed sub-resources fail the test at
    teardown: a broken asset or a script blocked by the Content Security Policy shows up
    here first. A failing test leaves a screenshot named after it.
    """
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
        # axe-core is injected as a script, which the site's CSP (rightly) forbids.
        bypass_csp=True,
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    # A sub-resource that fails (a stylesheet, script or image) is named by its response.
    # Pages themselves may answer 403 or 404 on purpose, so documents are left to the tests;
    # Chromium's own /favicon.ico probe raises no response event and is not counted.
    page.on(
        "response",
        lambda response: (
            problems.append(f"HTTP {response.status} for {response.url} (on {page.url})")
            if response.status >= 400 and response.request.resource_type != "document"
            else None
        ),
    )
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console.error on {page.url}: {msg.text}")
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        screenshot(page, f"FAILED-{request.node.name}")
    context.close()
    if problems:
        pytest.fail("The browser reported problems:\n" + "\n".join(problems), pytrace=False)


def sign_in(page, user, password):
    """Sign in through the real form, as a person would."""
    page.goto("/accounts/login/")
    page.get_by_label("Email", exact=True).fill(user.email)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in", exact=True).click()


def assert_no_axe_violations(page):
    """Run axe-core against the whole page for WCAG 2.2 AA and fail listing each violation."""
    page.add_script_tag(path=str(AXE_JS))
    if page.evaluate("typeof axe") == "undefined":
        pytest.fail(
            f"axe-core did not load on {page.url}: is a Content Security Policy blocking "
            "the injected script?",
            pytrace=False,
        )
    results = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
                count: v.nodes.length,
            }));
        }""",
        AXE_TAGS,
    )
    if results:
        lines = [f"axe found {len(results)} accessibility violation(s) on {page.url}:"]
        for v in results:
            lines.append(
                f"- {v['id']} ({v['impact']}): {v['help']} [{v['count']} node(s)] {v['helpUrl']}"
            )
            lines.extend(f"    {target}" for target in v["targets"])
        pytest.fail("\n".join(lines), pytrace=False)


def screenshot(page, name):
    """Save a full-page PNG under test-artifacts/screenshots/ and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
