"""Real-browser journeys against `streamlit run`."""

from playwright.sync_api import expect

from tests.e2e.conftest import cjk_font_installed, wait_idle


def test_open_overview_switch_language(server, page, shots):
    assert cjk_font_installed(), "fonts-noto-cjk is missing: Chinese would render as boxes"
    page.goto(server)
    expect(page.get_by_role("heading", name="数据概览")).to_be_visible(timeout=30_000)
    # the chart is drawn: one line per census basis plus the two target stars
    traces = page.locator(".js-plotly-plot .scatterlayer .trace")
    expect(traces).to_have_count(4, timeout=30_000)
    assert page.locator(".js-plotly-plot .scatterlayer .trace path.js-line").count() >= 2
    expect(page.get_by_text("53.92%")).to_be_visible()
    expect(page.get_by_text("示例数据").first).to_be_visible()
    wait_idle(page)
    page.screenshot(path=str(shots / "overview_zh.png"))

    # one click, as a person would: the first change after load must be taken
    page.locator('[data-testid="stRadio"] label').filter(has_text="English").click()
    expect(page.get_by_role("heading", name="Data overview")).to_be_visible(timeout=30_000)
    wait_idle(page)
    titles = page.locator(".js-plotly-plot .gtitle")
    expect(titles).to_have_count(1, timeout=10_000)  # the Chinese chart is replaced, not kept
    expect(titles).to_have_text("Shaanxi urbanization rate (resident population)")
    wait_idle(page)
    page.screenshot(path=str(shots / "overview_en.png"))


def test_link_with_lang_opens_in_english(server, page):
    page.goto(f"{server}/?lang=en")
    expect(page.get_by_role("heading", name="Data overview")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("radio", name="English")).to_be_checked()
