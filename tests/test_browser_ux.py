"""A whole class in Debian's chromium, watched for anything a teacher or child would trip on.

One teacher at a 1280×800 laptop and one student at an 800×1280 tablet walk the common path:
sign in, catalog, lesson, launch with a pasted class list, join screen, presenter, dashboard; join, lesson, hands-on
guide, quiz, hand in, review (the student taps their name); then the results page. Across every page: no console error, no
uncaught script error, no Content-Security-Policy violation and no request to any host but the
server (the classroom LAN may have no internet). Along the way it checks the fixes a review at
the real screen sizes asked for: finger-sized tabs and disclosures, a review that names each
question again, results columns a teacher can read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
COURSE, LESSON = "heiyoushan-trip", "heiyoushan-trip"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]


@pytest.fixture
def app_config(app_config):
    # The address a real classroom server prints: longer than 127.0.0.1 on a random port.
    return {**app_config, "KEPU_PUBLIC_URL": "http://192.168.100.100:8000"}


# Chromium reports a blocked script or style both on the console and as this DOM event; the
# event also catches violations in report-only mode. Init scripts run outside the page's CSP.
CSP_WATCH = """
document.addEventListener('securitypolicyviolation', function (e) {
  console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI);
});
"""


def watched(browser, base: str, problems: list[str], who: str, **options):
    context = browser.new_context(base_url=base, locale="zh-CN", **options)
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    page.on(
        "console",
        lambda m: (
            problems.append(f"{who} console.{m.type}: {m.text} ({page.url})")
            if m.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda exc: problems.append(f"{who} page error: {exc} ({page.url})"))
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith(base) or r.url.startswith("data:")
            else problems.append(f"{who} request to another host: {r.url}")
        ),
    )
    page.on("dialog", lambda dialog: dialog.accept())
    return context, page


def min_height(page, selector: str) -> float:
    heights = page.eval_on_selector_all(
        selector,
        "ns => ns.filter(n => n.offsetParent).map(n => n.getBoundingClientRect().height)",
    )
    assert heights, f"nothing visible matches {selector}"
    return min(heights)


def test_a_class_from_sign_in_to_results_is_clean(browser, live_server, teacher):
    from playwright.sync_api import expect

    base, problems = live_server.url, []
    desk_ctx, desk = watched(
        browser, base, problems, "teacher", viewport={"width": 1280, "height": 800}
    )
    desk.goto("/login")
    desk.fill("input[name=name]", teacher["name"])
    desk.fill("input[name=password]", teacher["password"])
    desk.click("form.stack button[type=submit]")
    desk.wait_for_url(f"{base}/teach/")
    desk.goto("/teach/catalog")
    desk.goto(f"/courses/{COURSE}/lessons/{LESSON}")
    desk.click("form.launch button[type=submit]")
    desk.wait_for_url("**/teach/launch?*")
    # Pasting a class list is enough: the teacher need not also find the "paste" radio button.
    desk.fill("textarea[name=roster_text]", "小红\n小明")
    expect(desk.locator("input[name=roster_mode][value=paste]")).to_be_checked()
    desk.click(".launch-form button[type=submit]")
    desk.wait_for_url("**/teach/sessions/*/join")
    session_url = desk.url.removesuffix("/join")
    code = desk.text_content("#join-code").strip()
    assert min_height(desk, ".session-tabs a") >= 44
    # The projector, as the laptop mirrors it and as a 1080p projector shows it: the address on
    # one line, the code and the address clear of a QR code big enough to scan.
    for width, height in ((1280, 800), (1920, 1080)):
        desk.set_viewport_size({"width": width, "height": height})
        url, qr = desk.locator(".join-url"), desk.locator(".join-qr svg").bounding_box()
        line = float(url.evaluate("n => parseFloat(getComputedStyle(n).lineHeight)"))
        assert url.bounding_box()["height"] < 1.5 * line, f"the address wraps at {width}"
        for box in (url.bounding_box(), desk.locator("#join-code").bounding_box()):
            assert box["x"] + box["width"] <= qr["x"], f"text runs into the QR code at {width}"
        assert qr["width"] >= 0.25 * width
    desk.set_viewport_size({"width": 1280, "height": 800})

    pad_ctx, pad = watched(browser, base, problems, "tablet",
                           viewport={"width": 800, "height": 1280}, has_touch=True)  # fmt: skip
    pad.goto(f"/j/{code}")
    pad.click("label.roster-name:has-text('小红')")
    pad.click("form.join-form button[type=submit]")
    pad.wait_for_url(f"{base}/me**")

    desk.goto(session_url)
    desk.keyboard.press("ArrowRight")
    expect(desk.locator("#current-section")).to_have_attribute("data-section", "1")
    desk.click("details.all-sections summary")
    assert min_height(desk, "details.all-sections summary") >= 44
    # The hands-on guide, before the quiz opens (opening it brings every tablet to the quiz):
    # a finger-sized "materials" row and a tick that stays ticked.
    pad.click("[data-tab=guide]")
    assert min_height(pad, "[data-panel=guide] summary") >= 44
    tick = pad.locator("[data-tick]").first
    tick.click()
    expect(tick).to_have_attribute("aria-pressed", "true")
    pad.wait_for_selector('[data-sync][data-state="saved"]')

    desk.click("[data-action=open_quiz]")
    expect(desk.locator("[data-action=close_quiz]")).to_be_visible()

    quiz_tab = pad.locator("[data-tab=quiz]")
    expect(quiz_tab).to_be_visible(timeout=10_000)
    quiz_tab.click()
    pad.locator(".w-single button.option[data-index='0']").first.click()
    pad.wait_for_selector('[data-sync][data-state="saved"]')
    pad.click("[data-submit]")
    pad.click("[data-submit-confirm]")  # the dialog's own button, awake after a pause
    # No explanation while classmates may still answer; closing the quiz brings the review.
    expect(pad.locator(".review-wait[data-review-waiting]")).to_be_visible(timeout=10_000)
    desk.click("[data-action=close_quiz]")
    review = pad.locator(".review-item").first
    expect(review).to_be_visible(timeout=10_000)
    # The review says which question each mark is about, not only its number.
    expect(review.locator(".review-prompt")).not_to_be_empty()

    desk.goto(f"{session_url}/dashboard")
    expect(desk.locator("#students tr[data-student='小红']")).to_have_count(1)
    desk.goto(f"{session_url}/results")
    first_question = desk.locator("#results thead th.q-col").first
    expect(first_question).to_contain_text("1.")
    assert len(first_question.text_content().strip()) > 3  # a prompt excerpt, not a bare id
    for cell in ("td.name", "td:nth-child(2)"):  # neither wraps into a column of characters
        lines = desk.locator(f"#results tbody tr >> nth=0 >> {cell}").evaluate(
            "n => { const r = document.createRange(); r.selectNodeContents(n);"
            " return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; }"
        )
        assert lines == 1, f"{cell} wraps onto {lines} lines"

    assert not problems, "\n".join(problems)

    # The teacher ends the class: the tablet says so and offers a way on, not a dead page.
    # (From here the tablet's poll gets 409 session_ended, which Chromium logs as an error.)
    desk.click("[data-action=end]")
    desk.wait_for_url("**/results")
    rejoin = pad.locator("[data-rejoin]")
    expect(rejoin).to_be_visible(timeout=10_000)
    assert rejoin.get_attribute("href") == "/j"
    pad_ctx.close()
    desk_ctx.close()
