"""The participation reports in Debian's chromium over a seeded history: a teacher's own
``/teach/reports`` passes axe-core with no serious violation in zh and en, and both reports
print with their SVG charts readable on paper (issue 16)."""

from __future__ import annotations

import pytest

from tests.test_browser_accessibility import CHROMIUM, axe_source, violations  # noqa: F401
from tests.test_browser_print import dark_background_on_paper, pdf_text
from tests.test_reports_teacher import app_config, people  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]


def signed_in_page(browser, base: str, user: dict, lang: str):
    context = browser.new_context(locale="zh-CN" if lang == "zh" else "en-US", base_url=base,
                                  viewport={"width": 1280, "height": 800})  # fmt: skip
    page = context.new_page()
    page.goto(f"/login?lang={lang}")
    page.fill("input[name=name]", user["name"])
    page.fill("input[name=password]", user["password"])
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/teach/")
    return context, page


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_teachers_report_passes_axe(browser, live_server, people, axe_source, lang):  # noqa: F811
    context, page = signed_in_page(browser, live_server.url, people["b"], lang)
    page.click("a[href='/teach/reports']")  # from the teacher's own page
    page.wait_for_url("**/teach/reports")
    found = violations(page, axe_source)
    page.goto("/teach/reports?group=month&from=2026-09-01")
    assert page.locator("#report tbody tr").count() == 1  # teacher B taught in October only
    assert page.locator("svg.chart").count() == 2
    found += violations(page, axe_source)
    context.close()
    assert not found, "\n".join(found)


def test_the_reports_print_with_readable_charts(browser, live_server, people, tmp_path):  # noqa: F811
    # The teacher's page in Chinese (the default), the school's in English.
    for reader, path, lang, words in [
        ("a", "/teach/reports", "zh", ("我的报表", "从 2026-09-01", "下载 CSV", "退出登录")),
        ("admin", "/admin/reports", "en", ("Participation reports", "from 2026-09-01",
                                           "Download CSV", "Sign out")),
    ]:  # fmt: skip
        context, page = signed_in_page(browser, live_server.url, people[reader], lang)
        page.goto(path + "?group=course&from=2026-09-01")
        text = pdf_text(page, tmp_path, reader)
        title, period, link, sign_out = words
        assert title in text and period in text, text  # what the paper covers
        # Each course and its mean score twice: in the table and as the charts' own text.
        mean = "75%" if reader == "a" else "55%"
        assert text.count("test-course") >= 3 and text.count(mean) >= 2, text
        assert link not in text and sign_out not in text
        assert not dark_background_on_paper(page)
        page.emulate_media(media="print")
        widths = page.evaluate("""() => [...document.querySelectorAll('svg.chart')].map(
            s => s.getBoundingClientRect().right <= document.documentElement.clientWidth)""")
        assert widths == [True, True]
        context.close()
