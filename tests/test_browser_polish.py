"""The classroom's first week, in Debian's chromium: the snags a new school hit (issue 12).

One browser for the module (the session-scoped ``browser`` fixture); each test opens its own
context at a real tablet or projector size.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import TEST_PLUGIN
from tests.student_support import change, launch, rows

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]
TABLET = {"width": 800, "height": 1280}
LANDSCAPE = {"width": 1280, "height": 800}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]}


@pytest.fixture
def tablet(browser, live_server):
    context = browser.new_context(viewport=TABLET, locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    yield page
    context.close()


def join(page, code: str, name: str) -> None:
    page.goto("/j")
    page.fill("input[name=code]", code)
    page.fill("input[name=name]", name)
    page.click("form.join-form button[type=submit]")
    page.wait_for_url("**/me")


def test_a_double_tap_on_hand_in_does_not_hand_in(app, teacher, tablet):
    from playwright.sync_api import expect

    session = launch(app, teacher, quiz_id="water-quiz")
    join(tablet, session["code"], "小明")
    tablet.locator(".w-single button.option[data-index='1']").first.click()  # 液态: wrong
    tablet.wait_for_selector('[data-sync][data-state="saved"]')
    tablet.dblclick("[data-submit]")
    dialog = tablet.locator("[data-submit-dialog]")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("7")  # "you have not answered 7 questions yet"
    tablet.wait_for_timeout(300)
    assert rows(app, "SELECT submitted_at FROM participants")[0]["submitted_at"] is None
    # "Keep working" goes back to the quiz; handing in needs the dialog's own, later tap.
    tablet.click("[data-submit-cancel]")
    expect(dialog).to_be_hidden()
    tablet.click("[data-submit]")
    tablet.click("[data-submit-confirm]")
    expect(tablet.locator(".review-wait[data-review-waiting]")).to_be_visible(timeout=10_000)
    assert rows(app, "SELECT submitted_at FROM participants")[0]["submitted_at"]
    # The explanations come once the teacher closes the quiz (no answer oracle for a seat).
    change(app, session["id"], quiz_open=0)
    expect(tablet.locator(".review-item").first).to_be_visible(timeout=10_000)
    # The review: the child's own choice beside the right one; skipped ones say so.
    first, second = tablet.locator(".review-item").nth(0), tablet.locator(".review-item").nth(1)
    expect(first.locator("[data-your-answer]")).to_have_text("液态")
    expect(first.locator("[data-right-answer]")).to_have_text("固态")
    expect(first.locator(".review-mark")).to_contain_text("还差一点")
    expect(second.locator(".review-mark")).to_contain_text("没有作答")
    expect(second.locator(".review-mark")).not_to_contain_text("还差一点")
    expect(second.locator("[data-your-answer]")).to_have_count(0)


def test_an_ended_class_says_so_on_its_join_link(app, teacher, tablet):
    from playwright.sync_api import expect

    session = launch(app, teacher, quiz_id="water-quiz")
    change(app, session["id"], state="ended")
    tablet.goto(f"/j/{session['code']}")
    error = tablet.locator("[data-join-error]")
    expect(error).to_contain_text("已经结束")
    # The code box is empty and ready for the next class's code.
    expect(tablet.locator("input[name=code]")).to_have_value("")
    tablet.fill("input[name=code]", session["code"])
    tablet.fill("input[name=name]", "小明")
    tablet.click("form.join-form button[type=submit]")
    expect(error).to_contain_text("已经结束")
    expect(tablet.locator("input[name=code]")).to_have_value("")


def test_the_english_switch_turns_the_lesson_into_english(app, teacher, tablet):
    from playwright.sync_api import expect

    session = launch(app, teacher, lesson_id="water")
    join(tablet, session["code"], "小明")
    expect(tablet.locator("[data-section-title]")).to_contain_text("冰")
    tablet.click(".langs a:has-text('English')")
    expect(tablet.locator("[data-section-title]")).to_have_text("1. Ice")
    expect(tablet.locator(".me-tab").first).to_have_text("Lesson")
    # The teacher turns the page: the tablet follows, still in English.
    change(app, session["id"], current_section=1)
    expect(tablet.locator("[data-section-title]")).to_have_text("2. Water", timeout=10_000)


def test_the_join_box_takes_a_spaced_code_and_forgets_a_deleted_seat(app, teacher, tablet):
    from playwright.sync_api import expect

    from kepu_server.store.db import open_db

    session = launch(app, teacher, quiz_id="water-quiz")
    tablet.goto("/j")
    code_box = tablet.locator("input[name=code]")
    code_box.press_sequentially(" " + session["code"][:3] + " " + session["code"][3:])
    expect(code_box).to_have_value(session["code"])
    name_box = tablet.locator("input[name=name]")
    name_box.fill("小" * 40)
    name_box.press("End")
    name_box.press_sequentially("明")  # the 41st letter: the box says why it stops
    expect(tablet.locator("[data-name-limit]")).to_have_class("join-hint at-limit")
    name_box.fill("小明")
    tablet.click("form.join-form button[type=submit]")
    tablet.wait_for_url("**/me")
    # The teacher deletes the results: the tablet no longer offers to continue that seat.
    db = open_db(app.config["KEPU_DATABASE"])
    db.execute("DELETE FROM participants WHERE session_id = ?", [session["id"]])
    db.conn.close()
    tablet.context.clear_cookies()
    tablet.goto("/j")
    tablet.wait_for_timeout(500)
    expect(tablet.locator("[data-resume]")).to_be_hidden()
    assert tablet.evaluate("localStorage.getItem('kepu.seat')") is None


def sign_in(browser, base, teacher, viewport=LANDSCAPE, locale="zh-CN"):
    context = browser.new_context(viewport=viewport, locale=locale, base_url=base)
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=name]", teacher["name"])
    page.fill("input[name=password]", teacher["password"])
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/teach/")
    return context, page


def test_the_presenter_fits_a_1280x800_projector(app, browser, live_server, teacher):
    session = launch(app, teacher, course="heiyoushan-trip", lesson_id="heiyoushan-trip")
    context, page = sign_in(browser, live_server.url, teacher)
    try:
        page.goto(f"/teach/sessions/{session['id']}")
        for n in range(5):  # every page of the lesson: the whole slide above previous / next
            page.wait_for_selector(f'#current-section[data-section="{n}"]')
            page.wait_for_load_state("load")
            fits = (
                "() => { const s = document.querySelector('.slide').getBoundingClientRect();"
                " const b = document.querySelector('.slide-nav').getBoundingClientRect();"
                " return s.bottom <= b.top + 1 && b.bottom <= innerHeight; }"
            )
            try:
                page.wait_for_function(fits, timeout=5_000)
            except Exception:  # noqa: BLE001 - say which page, with its sizes
                slide = page.locator(".slide").bounding_box()
                nav = page.locator(".slide-nav").bounding_box()
                raise AssertionError(f"page {n + 1} does not fit: {slide} above {nav}") from None
            scrolling = page.evaluate(
                "[...document.querySelectorAll('.slide, .slide *')].filter(n => n.scrollHeight >"
                " n.clientHeight + 2 && getComputedStyle(n).overflowY !== 'visible').length"
            )
            assert scrolling == 0
            if n < 4:
                with page.expect_navigation():
                    page.keyboard.press("ArrowRight")
    finally:
        context.close()


def test_the_robot_program_board_shows_on_a_landscape_tablet(app, browser, live_server, teacher):
    session = launch(app, teacher, course="robotics", quiz_id="robot-commands-quiz")
    quiz = app.extensions["kepu"].catalog.course("robotics").quizzes["robot-commands-quiz"]
    index = next(i for i, q in enumerate(quiz.questions) if q.type == "program")
    context = browser.new_context(viewport=LANDSCAPE, locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    try:
        join(page, session["code"], "小明")
        page.click(f'[data-goto="{index}"]')
        board = page.locator(".q-card:not([hidden]) .kp-program-board").bounding_box()
        assert board["y"] + board["height"] <= 800, "the program board is below the fold"
    finally:
        context.close()


def test_a_tablet_quiz_works_with_the_keyboard(app, teacher, tablet):
    from playwright.sync_api import expect

    session = launch(app, teacher, quiz_id="water-quiz")
    tablet.goto(f"/j/{session['code']}")
    tablet.focus("input[name=name]")
    tablet.keyboard.type("小明")
    tablet.keyboard.press("Enter")
    tablet.wait_for_url("**/me")
    tablet.focus(".q-card:not([hidden]) .w-single button.option >> nth=0")
    tablet.keyboard.press("Space")
    tablet.wait_for_selector('[data-sync][data-state="saved"]')
    tablet.focus("[data-q-next]")
    tablet.keyboard.press("Enter")
    expect(tablet.locator(".q-card:not([hidden])")).to_have_attribute("data-q-index", "1")
    tablet.focus("[data-submit]")
    tablet.keyboard.press("Enter")
    dialog = tablet.locator("[data-submit-dialog]")
    expect(dialog).to_be_visible()
    expect(tablet.locator("[data-submit-cancel]")).to_be_focused()
    tablet.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert rows(app, "SELECT submitted_at FROM participants")[0]["submitted_at"] is None
