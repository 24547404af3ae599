"""Every page a student, teacher or admin uses passes axe-core with no serious or critical
violation, in Chinese and English, at tablet (800×1280) and projector (1280×800) sizes.

axe-core comes from npm (package.json; ``npm install`` in .ci/run) and is injected into
Debian's chromium. One browser for the whole run; one test per language, each page at both
sizes over the two (see ``DESK_AND_PAD``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import ROOT, TEST_PLUGIN
from tests.student_support import change, launch

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]
SIZES = {"tablet": {"width": 800, "height": 1280}, "projector": {"width": 1280, "height": 800}}
# Pairwise, not all four combinations (each took 20-50 s of a 2-core box): in Chinese the
# teacher's pages are checked at the projector's size and the student's at the tablet's (what
# each is made for), in English the other way round. So every page is checked in both
# languages and at both sizes (a size's layout, a language's text and lang attribute).
DESK_AND_PAD = {"zh": ("projector", "tablet"), "en": ("tablet", "projector")}
SERIOUS = ("serious", "critical")


@pytest.fixture
def app_config(app_config):
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        import os

        if os.environ.get("CI"):
            pytest.fail(f"{AXE} is missing in CI; .ci/run runs npm install")
        pytest.skip("axe-core is not installed (npm install --no-audit --no-fund)")
    return AXE.read_text(encoding="utf-8")


def violations(page, axe_source: str) -> list[str]:
    if not page.evaluate("() => 'axe' in window"):  # a new document since the last check
        page.evaluate(axe_source + "\n;0")  # in the page, outside its CSP
    result = page.evaluate(
        "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
        " return r.violations.map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.slice(0, 6).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '')"
        ".split('\\n').slice(1, 2).join(''))})); }"
    )
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {json.dumps(v['nodes'], ensure_ascii=False)}"
        for v in result
        if v["impact"] in SERIOUS
    ]


@pytest.mark.parametrize("lang", sorted(DESK_AND_PAD))
def test_every_page_passes_axe(app, browser, live_server, admin, axe_source, lang):
    base = live_server.url
    desk_size, pad_size = DESK_AND_PAD[lang]
    locale = "zh-CN" if lang == "zh" else "en-US"
    lesson = launch(app, admin, course="heiyoushan-trip", lesson_id="heiyoushan-trip")
    quiz = launch(app, admin, quiz_id="water-quiz")
    contest = launch(app, admin, quiz_id="water-quiz", mode="contest", seconds=0)
    found: list[str] = []

    teacher_ctx = browser.new_context(viewport=SIZES[desk_size], locale=locale, base_url=base)
    desk = teacher_ctx.new_page()
    desk.goto(f"/login?lang={lang}")
    found += violations(desk, axe_source)
    desk.fill("input[name=name]", admin["name"])
    desk.fill("input[name=password]", admin["password"])
    desk.click("form.stack button[type=submit]")
    desk.wait_for_url("**/teach/")
    sid = lesson["id"]
    for url in [
        "/", "/courses/heiyoushan-trip", "/courses/heiyoushan-trip/lessons/heiyoushan-trip",
        "/courses/test-course/guides/" + next(iter(app.extensions["kepu"].catalog
                                                   .course("test-course").guides)),
        "/teach/", "/teach/catalog",
        "/teach/launch?course=heiyoushan-trip&lesson=heiyoushan-trip",
        f"/teach/sessions/{sid}/join", f"/teach/sessions/{sid}", f"/teach/sessions/{sid}/dashboard",
        f"/teach/sessions/{quiz['id']}/results", f"/teach/sessions/{sid}/seats",
        "/account", "/admin/", "/admin/users", "/admin/plugins", "/admin/reports",
        "/teach/reports", "/teach/author/", "/no/such/page",
        f"/teach/sessions/{contest['id']}/contest",
    ]:  # fmt: skip
        desk.goto(url)
        found += violations(desk, axe_source)

    pad_ctx = browser.new_context(viewport=SIZES[pad_size], locale=locale, base_url=base,
                                  has_touch=True)  # fmt: skip
    pad = pad_ctx.new_page()
    pad.goto(f"/j?lang={lang}")
    found += violations(pad, axe_source)
    pad.goto(f"/j/{quiz['code']}")
    found += violations(pad, axe_source)
    pad.fill("input[name=name]", "小明")
    pad.click("form.join-form button[type=submit]")
    pad.wait_for_url("**/me")
    found += violations(pad, axe_source)  # the quiz
    pad.locator(".w-single button.option").first.click()
    pad.wait_for_selector('[data-sync][data-state="saved"]')  # else 交卷 waits for the answer
    pad.click("[data-submit]")
    found += violations(pad, axe_source)  # the hand-in dialog
    pad.click("[data-submit-confirm]")
    pad.wait_for_selector(".review-wait[data-review-waiting]")
    found += violations(pad, axe_source)  # handed in, the review waiting for the quiz to close
    change(app, quiz["id"], quiz_open=0)
    # The tablet's next poll reloads the page for the review (a reload from here could cross
    # that navigation).
    pad.wait_for_selector(".review-item", timeout=10_000)
    found += violations(pad, axe_source)  # the review
    pad.goto(f"/j/{lesson['code']}")
    pad.fill("input[name=name]", "小红")
    pad.click("form.join-form button[type=submit]")
    pad.wait_for_url("**/me")
    found += violations(pad, axe_source)  # the lesson with its guide tab

    # The contest: the tablet waiting, then the open question on tablet and projector, then
    # both after the reveal.
    pad.goto(f"/j/{contest['code']}")
    pad.fill("input[name=name]", "小刚")
    pad.click("form.join-form button[type=submit]")
    pad.wait_for_url("**/me")
    found += violations(pad, axe_source)  # waiting for the first question
    desk.goto(f"/teach/sessions/{contest['id']}/contest")
    desk.keyboard.press("n")
    desk.wait_for_selector("#contest[data-state=open]", timeout=10_000)
    pad.wait_for_selector(".w-single button.option", timeout=10_000)  # its poll reloads it
    found += violations(pad, axe_source)
    found += violations(desk, axe_source)
    pad.locator(".w-single button.option").first.click()
    desk.keyboard.press("s")
    desk.wait_for_selector("#contest[data-state=closed]", timeout=10_000)
    desk.keyboard.press("r")
    desk.wait_for_selector(".contest-bars, [data-distribution]", timeout=10_000)
    found += violations(desk, axe_source)
    # Rather than wait ~2 s for the poll to fill the reveal in (in place: the poll does not
    # navigate here), reload: the page fills it in from the state it is made with.
    pad.reload()
    pad.wait_for_selector("[data-contest-reveal]:not([hidden])", timeout=10_000)
    found += violations(pad, axe_source)  # right or wrong
    teacher_ctx.close()
    pad_ctx.close()
    assert not found, "\n".join(found)
