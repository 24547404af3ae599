"""A real tablet: Debian's chromium at 800x1280 joins, answers, loses Wi-Fi, reloads, recovers."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.conftest import TEST_PLUGIN
from tests.student_support import change, launch, rows, stored_answers, wait_for

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]
TABLET = {"width": 800, "height": 1280}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]}


@pytest.fixture
def tablet(browser, live_server):
    context = browser.new_context(viewport=TABLET, locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Failed requests while offline are expected; script errors are not.
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource: net::")
            else None
        ),
    )
    yield context, page, errors
    context.close()


def join(page, code: str, name: str) -> None:
    page.goto("/j")
    page.fill("input[name=code]", code)
    page.fill("input[name=name]", name)
    page.click("form.join-form button[type=submit]")
    page.wait_for_url("**/me")


def card(page, qid: str):
    return page.locator(f'.question[data-qid="{qid}"]')


def go_to(page, index: int) -> None:
    page.click(f'[data-goto="{index}"]')


def test_answers_survive_losing_wifi_and_a_reload(app, teacher, tablet):
    context, page, errors = tablet
    session = launch(app, teacher, quiz_id="water-quiz")
    join(page, session["code"], "小明")
    assert page.locator("[data-me]").is_visible()
    # Every tap target is at least 48px high at 800x1280.
    heights = page.eval_on_selector_all(
        ".q-card:not([hidden]) button, .pager button, [data-submit], .q-dot",
        "nodes => nodes.filter(n => n.offsetParent).map(n => n.getBoundingClientRect().height)",
    )
    assert heights and min(heights) >= 48, heights

    # Online: answer six questions with the core widgets.
    card(page, "q1").locator(".option").nth(0).click()
    go_to(page, 1)
    card(page, "q2").locator(".option").nth(0).click()
    card(page, "q2").locator(".option").nth(2).click()
    go_to(page, 2)
    card(page, "q3").locator('.option[data-value="true"]').click()
    go_to(page, 3)
    card(page, "q4").locator("input").fill("１００")  # a full-width number from a tablet keyboard
    card(page, "q4").locator("input").blur()
    go_to(page, 4)
    card(page, "q5").locator("input").fill("冰")
    card(page, "q5").locator("input").blur()
    go_to(page, 5)
    order = card(page, "q6")
    for _ in range(6):  # tap-to-move: bring the items into the order 冰, 水, 水蒸气
        items = order.locator(".order-item").evaluate_all("rows => rows.map(r => r.dataset.item)")
        if items == ["冰", "水", "水蒸气"]:
            break
        target = ["冰", "水", "水蒸气"][
            next(i for i, x in enumerate(items) if x != ["冰", "水", "水蒸气"][i])
        ]
        order.locator(f'.order-item[data-item="{target}"] [data-up]').click()
    wait_for(lambda: len(stored_answers(app)) == 6, what="six answers on the server")
    page.wait_for_selector('[data-sync][data-state="saved"]')
    # The offline helper has kept a copy of this page (secure origin: 127.0.0.1).
    wait_for(lambda: page.evaluate("caches.match('/me').then(r => !!r)"), what="cached /me")

    # Wi-Fi drops: two more answers stay on the tablet.
    context.set_offline(True)
    go_to(page, 6)
    card(page, "q7").locator(".option").nth(1).click()
    go_to(page, 7)
    card(page, "q8").locator("input").fill("250")  # the plugin type `range`: a text box
    card(page, "q8").locator("input").blur()
    page.wait_for_selector('[data-sync][data-state="unsaved"]')
    time.sleep(0.5)
    assert len(stored_answers(app)) == 6

    # Reload without Wi-Fi: the same seat, and the answers kept on the tablet.
    page.reload()
    page.wait_for_selector("[data-me]")
    assert (
        card(page, "q7").locator('.option[aria-checked="true"]').get_attribute("data-index") == "1"
    )
    assert card(page, "q8").locator("input").input_value() == "250"
    assert (
        card(page, "q1").locator('.option[aria-checked="true"]').get_attribute("data-index") == "0"
    )
    pending = page.evaluate(
        "Object.keys(JSON.parse(localStorage.getItem(Object.keys(localStorage)"
        ".find(k => k.startsWith('kepu.outbox.'))) || '{}'))"
    )
    assert sorted(pending) == ["answer:q7", "answer:q8"]

    # Wi-Fi is back: everything reaches the server without the student doing anything.
    context.set_offline(False)
    wait_for(lambda: len(stored_answers(app)) == 8, timeout=30, what="all eight answers")
    page.wait_for_selector('[data-sync][data-state="saved"]')
    pid = rows(app, "SELECT id FROM participants")[0]["id"]
    assert stored_answers(app) == {
        (pid, "q1"): 0, (pid, "q2"): [0, 2], (pid, "q3"): True, (pid, "q4"): 100,
        (pid, "q5"): "冰", (pid, "q6"): ["冰", "水", "水蒸气"], (pid, "q7"): 1, (pid, "q8"): 250,
    }  # fmt: skip

    # Hand in (two taps), and see the score with the review.
    page.click("[data-submit]")
    page.click("[data-submit-confirm]")  # the dialog's own button, awake after a pause
    page.wait_for_selector("[data-result]")
    assert "7" in page.locator(".big-score").inner_text()
    assert rows(app, "SELECT score FROM participants")[0]["score"] == 7
    assert not errors, errors


def test_a_teacher_paced_tablet_follows_the_teacher_and_gets_the_quiz(app, teacher, tablet):
    from playwright.sync_api import expect

    context, page, errors = tablet
    session = launch(app, teacher, lesson_id="water")
    join(page, session["code"], "小红")
    assert page.locator("[data-section-title]").inner_text() == "一、冰"
    change(app, session["id"], current_section=1)
    expect(page.locator("[data-section-title]")).to_have_text("二、水", timeout=10000)
    page.click('[data-tab="guide"]')
    page.locator("[data-tick]").first.click()
    wait_for(lambda: rows(app, "SELECT done FROM guide_ticks") == [{"done": 1}], what="a tick")
    change(app, session["id"], quiz_open=True)
    page.wait_for_selector(".q-card", timeout=10000)  # the page fetched the opened quiz
    assert page.locator('[data-tab="quiz"]').get_attribute("aria-selected") == "true"
    # Drag an ordering item with the pointer (mouse here, a finger on the tablet).
    go_to(page, 5)
    items = page.locator('.question[data-qid="q6"] .order-item')
    first, last = items.nth(0).bounding_box(), items.nth(2).bounding_box()
    before = items.evaluate_all("rows => rows.map(r => r.dataset.item)")
    page.mouse.move(first["x"] + 20, first["y"] + first["height"] / 2)
    page.mouse.down()
    page.mouse.move(last["x"] + 20, last["y"] + last["height"] - 2, steps=8)
    page.mouse.up()
    after = items.evaluate_all("rows => rows.map(r => r.dataset.item)")
    assert after == before[1:] + before[:1]
    pid = rows(app, "SELECT id FROM participants")[0]["id"]
    wait_for(lambda: stored_answers(app).get((pid, "q6")) == after, what="the dragged order")
    # Landscape works too: nothing wider than the screen.
    page.set_viewport_size({"width": 1280, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert not errors, errors


def test_a_tablet_that_lost_its_cookie_takes_its_seat_back_from_the_join_page(app, teacher, tablet):
    context, page, errors = tablet
    session = launch(app, teacher, quiz_id="water-quiz")
    join(page, session["code"], "小明")
    context.clear_cookies()  # the seat stays in localStorage
    page.goto("/j")
    resume = page.locator("[data-resume-button]")
    resume.wait_for(state="visible")
    assert "小明" in resume.inner_text()
    resume.click()
    page.wait_for_url("**/me")
    assert page.locator("[data-me]").is_visible()
    assert len(rows(app, "SELECT * FROM participants")) == 1
    assert not errors, errors


def test_a_shuffle_options_quiz_shows_the_seat_order_and_saves_the_file_index(app, teacher, tablet):
    context, page, errors = tablet
    session = launch(app, teacher, quiz_id="shuffled-quiz")
    join(page, session["code"], "小红")
    questions = {q["id"]: q for q in page.request.get("/api/v1/me/quiz").json()["questions"]}
    for qid in ("s1", "s2"):  # the buttons follow the seat's order, each naming its file index
        buttons = card(page, qid).locator(".option")
        assert buttons.locator(".option-text").all_inner_texts() == questions[qid]["options"]
        indices = buttons.evaluate_all("nodes => nodes.map(n => Number(n.dataset.index))")
        assert indices == questions[qid]["order"]
    card(page, "s1").locator(".option", has_text="冰").click()
    go_to(page, 1)
    card(page, "s2").locator(".option", has_text="牛奶").click()
    card(page, "s2").locator(".option", has_text="雨水").click()
    pid = rows(app, "SELECT id FROM participants")[0]["id"]
    expected = {(pid, "s1"): 2, (pid, "s2"): [1, 2]}  # the file's indices, not the shown ones
    wait_for(lambda: stored_answers(app) == expected, what=f"{expected} on the server")
    page.reload()
    page.wait_for_selector("[data-me]")
    checked = card(page, "s1").locator('.option[aria-checked="true"]')
    assert checked.locator(".option-text").inner_text() == "冰"
    assert not errors, errors
