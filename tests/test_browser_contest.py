"""The contest in real browsers: the projector page at 1280×800 and three tablets at 800×1280.

The teacher launches a contest from the launch page, opens question 1 with the N key; two
tablets answer (one right, one wrong) and see "answer received"; the countdown ends and the
third tablet's buttons lock; R reveals: the projector draws the distribution, each tablet says
whether it was right. One tablet goes offline, the teacher opens question 2, and the tablet,
back online, lands on question 2 by itself (by then its countdown has usually ended).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import TEST_PLUGIN
from tests.student_support import rows, wait_for

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]
# Long enough for three tablets to poll (every ~2 s), load the question and tap; short
# enough to watch the countdown end.
SECONDS = 5


@pytest.fixture
def app_config(app_config):
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]}


def test_projector_and_three_tablets_play_a_contest(browser, live_server, teacher):
    from playwright.sync_api import expect

    base = live_server.url
    errors: list[str] = []
    desk = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en")
    projector = desk.new_page()
    projector.on("pageerror", lambda exc: errors.append(f"projector: {exc}"))
    projector.goto(f"{base}/login?lang=en")
    projector.fill("input[name=name]", teacher["name"])
    projector.fill("input[name=password]", teacher["password"])
    projector.click("form.stack button[type=submit]")
    projector.wait_for_url(f"{base}/teach/")

    # The launch page offers the contest beside teacher- and self-paced.
    projector.goto(f"{base}/teach/launch?course=test-course&quiz=water-quiz")
    projector.check("input[name=pacing][value=contest]")
    assert projector.input_value("input[name=seconds]") == "20"
    assert not projector.is_checked("input[name=leaderboard]")
    projector.fill("input[name=seconds]", str(SECONDS))
    projector.click(".launch-form button[type=submit]")
    projector.wait_for_url("**/teach/sessions/*/join")
    code = projector.text_content("#join-code").strip()
    session = rows(live_server.app, "SELECT * FROM class_sessions WHERE code = ?", [code])[0]
    assert session["mode"] == "contest" and session["contest_seconds"] == SECONDS

    tablets = []
    for name in ("Ana", "Ben", "Cai"):
        context = browser.new_context(viewport={"width": 800, "height": 1280}, locale="en",
                                      has_touch=True)  # fmt: skip
        page = context.new_page()
        page.on("pageerror", lambda exc, n=name: errors.append(f"{n}: {exc}"))
        page.goto(f"{base}/j/{code}?lang=en")
        page.fill("input[name=name]", name)
        page.click("form.join-form button[type=submit]")
        page.wait_for_url(f"{base}/me**")
        expect(page.locator("[data-contest-wait]")).to_be_visible()
        tablets.append((context, page))
    ana, ben, cai = (page for _c, page in tablets)

    projector.click("a:has-text('Everyone is in: start the contest')")
    projector.wait_for_url("**/contest")
    expect(projector.locator("[data-contest-joined]")).to_have_text("3")
    projector.keyboard.press("n")
    expect(projector.locator(".contest-prompt")).to_contain_text("What state is ice?", timeout=5000)
    expect(projector.locator(".contest-options li")).to_have_count(3)
    # The question is big enough for the back row and fits the 1280×800 screen.
    size = projector.eval_on_selector(
        ".contest-prompt", "n => parseFloat(getComputedStyle(n).fontSize)"
    )
    assert size >= 24
    for selector in (".contest-stage", ".contest-controls"):
        box = projector.locator(selector).bounding_box()
        assert box["x"] + box["width"] <= 1280 and box["y"] + box["height"] <= 800, selector
    # The countdown comes from the server's seconds_left.
    timer = projector.locator("[data-contest-timer]")
    wait_for(lambda: re.fullmatch(r"\d", timer.text_content().strip()), 3, "a countdown")

    for page in (ana, ben, cai):
        expect(page.locator('.question[data-qid="q1"]')).to_be_visible(timeout=8000)
    ana.click('.question[data-qid="q1"] .option[data-index="0"]')
    ben.click('.question[data-qid="q1"] .option[data-index="1"]')
    for page in (ana, ben):
        expect(page.locator("[data-q-status]")).to_have_text("Answer received ✓", timeout=5000)
    expect(projector.locator("[data-contest-answered]")).to_have_text("2", timeout=5000)

    # The deadline passes: Cai's buttons lock, the projector says time is up.
    expect(cai.locator("[data-contest-countdown]")).to_have_text("Time is up.", timeout=8000)
    assert cai.locator('.question[data-qid="q1"] .option').first.is_disabled()
    expect(timer).to_have_text("Time is up", timeout=5000)

    projector.keyboard.press("r")
    bars = projector.locator(".contest-bar-row")
    expect(bars).to_have_count(3, timeout=5000)
    expect(projector.locator(".contest-bar-count")).to_have_text(["1", "1", "0"])
    expect(projector.locator(".contest-bar-row.is-correct")).to_contain_text("solid")
    expect(projector.locator(".contest-right")).to_contain_text("solid")
    expect(projector.locator(".contest-explain")).to_contain_text("Ice is solid.")
    expect(ana.locator("[data-contest-verdict]")).to_have_text("Right!", timeout=6000)
    expect(ben.locator("[data-contest-verdict]")).to_have_text("Not this time.", timeout=6000)
    expect(cai.locator("[data-contest-verdict]")).to_have_text(
        "You did not answer this one.", timeout=6000
    )

    # Cai's Wi-Fi drops; the teacher moves on; back online, Cai lands on question 2.
    cai_context = tablets[2][0]
    cai_context.set_offline(True)
    projector.keyboard.press("PageDown")
    expect(projector.locator(".contest-prompt")).to_contain_text("哪些是液态", timeout=5000)
    expect(ana.locator('.question[data-qid="q2"]')).to_be_visible(timeout=8000)
    # Cai's next poll, with question 2 open, finds no Wi-Fi (polls come every 1.5-2.5 s).
    with cai.expect_event("requestfailed", timeout=6000,
                          predicate=lambda r: r.url.endswith("/api/v1/me")):  # fmt: skip
        pass
    assert cai.locator('.question[data-qid="q1"]').count() == 1  # still offline
    cai_context.set_offline(False)
    expect(cai.locator('.question[data-qid="q2"]')).to_be_visible(timeout=10000)
    expect(cai.locator(".q-meta")).to_contain_text("Question 2 of")

    # Next twice at once opens one question, never skips one. Stop then reveal at once (the
    # second key while the first is on its way): both run, in order.
    def keys(*names):
        projector.evaluate("names => names.forEach(k => document.dispatchEvent("
                           "new KeyboardEvent('keydown', {key: k, bubbles: true})))", list(names))  # fmt: skip

    def contest_row():
        return rows(live_server.app, "SELECT contest_state, contest_index FROM class_sessions "
                                     "WHERE code = ?", [code])[0]  # fmt: skip

    keys("n", "n")
    expect(projector.locator(".contest-prompt")).not_to_contain_text("哪些是液态", timeout=5000)
    wait_for(lambda: contest_row()["contest_state"] == "open", 5, "the next question")
    expect(projector.locator("[data-contest-action=close]")).to_be_enabled(timeout=3000)
    assert contest_row()["contest_index"] == 2  # q3: the double "next" opened one question
    keys("s", "r")
    wait_for(lambda: contest_row()["contest_state"] == "revealed", 4, "the reveal after stop")
    expect(projector.locator(".contest-bar-row").first).to_be_visible(timeout=5000)
    assert contest_row()["contest_index"] == 2

    # 1920×1080: the same page, still on one screen.
    projector.set_viewport_size({"width": 1920, "height": 1080})
    box = projector.locator(".contest-controls").bounding_box()
    assert box["y"] + box["height"] <= 1080

    answers = rows(live_server.app, "SELECT question_id, response FROM answers ORDER BY rowid")
    assert [(a["question_id"], a["response"]) for a in answers] == [
        ("q1", "0"), ("q1", "1")]  # fmt: skip
    assert not errors, errors
    for context, _page in tablets:
        context.close()
    desk.close()
