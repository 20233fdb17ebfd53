"""Adding and editing a service in the browser: the API's validation, each error next to its field."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.conftest import LiveServer


def test_add_a_service_with_errors_next_to_their_fields(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/services/new")
    form = page.locator("form[data-api]")
    form.get_by_label("Name").fill("shop-api")
    form.get_by_label("URL (HTTP)").fill("http://169.254.169.254/latest/")  # the cloud's metadata address
    form.get_by_role("button", name="Add service").click()
    expect(form.locator('[data-error-for="url"]')).to_contain_text("link-local address")
    form.get_by_label("URL (HTTP)").fill(live_server.url + "/health")
    form.get_by_label("Every (seconds)").fill("9999999")  # over a week: the API says so
    form.get_by_role("button", name="Add service").click()
    expect(form.locator('[data-error-for="interval_s"]')).not_to_be_empty()
    expect(form.locator('[data-error-for="url"]')).to_be_empty()
    form.get_by_label("Every (seconds)").fill("30")
    form.get_by_role("button", name="Add service").click()
    page.wait_for_url("**/#health")
    expect(page.locator("#health").get_by_role("link", name="shop-api")).to_be_visible()

    page.goto(live_server.url + "/services/shop-api")
    edit = page.locator("#edit-title").locator("xpath=..").locator("form")
    edit.get_by_label("Alert after this many failed checks in a row").fill("5")
    with page.expect_navigation():  # saved: the page reloads with the stored value
        edit.get_by_role("button", name="Save").click()
    expect(
        page.locator("#edit-title").locator("xpath=..").get_by_label("Alert after this many failed checks in a row")
    ).to_have_value("5")


def test_a_push_monitor_shows_its_url_once(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/services/new")
    form = page.locator("form[data-api]")
    form.get_by_label("Name").fill("nightly-backup")
    form.get_by_label("Kind").select_option("push")
    form.get_by_label("Every (seconds)").fill("86400")
    form.get_by_role("button", name="Add service").click()
    expect(form.locator("output[data-token]")).to_contain_text("/api/push/")
    expect(form.locator("[data-result]")).to_contain_text("shown only once")
