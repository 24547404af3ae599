"""A teacher at a 1280×800 laptop and a student at an 800×1280 tablet, in Debian's chromium.

The teacher signs in, starts a lesson from its page, reads the join code off the join screen;
the student joins with it; the teacher sees the name arrive, turns a page (with the keyboard,
like a presentation clicker), opens the quiz and watches the answer counted on the dashboard.
"""

from __future__ import annotations

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
COURSE, LESSON = "heiyoushan-trip", "heiyoushan-trip"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]


def test_teacher_launches_and_sees_a_student_answer(browser, live_server, teacher):
    from playwright.sync_api import expect

    base = live_server.url
    errors = []
    desk = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = desk.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: dialog.accept())

    page.goto(f"{base}/login")
    page.fill("input[name=name]", teacher["name"])
    page.fill("input[name=password]", teacher["password"])
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{base}/teach/")

    page.goto(f"{base}/courses/{COURSE}/lessons/{LESSON}")
    page.click("form.launch button[type=submit]")  # "Start in class"
    page.wait_for_url("**/teach/launch?*")
    page.click(".launch-form button[type=submit]")
    page.wait_for_url("**/teach/sessions/*/join")
    code = page.text_content("#join-code").strip()
    assert len(code) == 6 and code.isdigit()
    assert page.locator(".join-qr svg").is_visible()
    # The code must be readable from the back row: big, and fully on screen.
    box = page.locator("#join-code").bounding_box()
    assert box["height"] > 90 and box["x"] + box["width"] <= 1280

    tablet_ctx = browser.new_context(viewport={"width": 800, "height": 1280}, locale="zh-CN",
                                     has_touch=True)  # fmt: skip
    tablet = tablet_ctx.new_page()
    tablet.on("pageerror", lambda exc: errors.append(f"tablet: {exc}"))
    tablet.goto(f"{base}/j/{code}")
    tablet.fill("input[name=name]", "小红")
    tablet.click("form.join-form button[type=submit]")
    tablet.wait_for_url(f"{base}/me**")

    expect(page.locator("[data-joined-names] li")).to_have_text(["小红"], timeout=10_000)

    # Present: the right-arrow key turns the page; the tablet follows by itself.
    page.goto(f"{base}{page.url.removeprefix(base).removesuffix('/join')}")
    second_title = page.locator(".slide-nav [data-action=next] .slide-nav-title").text_content()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#current-section")).to_have_attribute("data-section", "1")
    expect(tablet.locator("[data-section-title]")).to_have_text(second_title, timeout=10_000)

    page.click("[data-action=open_quiz]")
    page.click(".session-tabs a[href$='/dashboard']")
    expect(page.locator("#students tr[data-student='小红']")).to_have_count(1)

    quiz_tab = tablet.locator("[data-tab=quiz]")
    expect(quiz_tab).to_be_visible(timeout=10_000)
    quiz_tab.click()
    first = tablet.locator(".w-single button.option[data-index='0']").first
    expect(first).to_be_visible(timeout=10_000)
    first.click()  # q1's right answer

    row = page.locator("#students tr[data-student='小红']")
    expect(row.locator("td[data-col=answered]")).to_contain_text("1 /", timeout=10_000)
    expect(row.locator("td[data-col=correct]")).to_have_text("1")
    expect(page.locator("#questions tr[data-question=q1] td").nth(1)).to_have_text("1")
    assert not errors, errors
    tablet_ctx.close()
    desk.close()
