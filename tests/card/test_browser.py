"""The dashboard card in a real browser, on a real Home Assistant, against a real qBittorrent.

Debian's chromium, driven by Playwright (its own browser download is never used), opens the
dashboard of a real ``hass`` (this tree's integration, set up through its config flow with push)
while a real qbittorrent-nox of the newest release holds 20 torrents. Each scenario leaves a
screenshot in build/screenshots/.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.daemon.demo import LocalQBittorrent, Release
from qbt_bridge.daemon.homeassistant import LocalHomeAssistant, Tokens
from tests.helpers import make_payload, wait_for, wait_torrent
from tests.releases import RELEASES, require

playwright = pytest.importorskip("playwright.async_api")

CHROMIUM = shutil.which("chromium")
SCREENSHOTS = Path(__file__).parents[2] / "build" / "screenshots"
OWNER, OWNER_PASSWORD = "owner", "owner-password-1"
VIEWER, VIEWER_PASSWORD = "viewer", "viewer-password-1"
COMPLETE = 12  # of the 20 torrents, these have their data (seeding); the rest wait for peers


@dataclass
class Stage:
    """Home Assistant with the card on its dashboard, for a qBittorrent with 20 torrents."""

    hass: LocalHomeAssistant
    qbt: LocalQBittorrent
    owner: Tokens
    viewer: Tokens
    path: str
    hashes: list[str]


async def _prepare(hass: LocalHomeAssistant, qbt: LocalQBittorrent, folder: Path) -> Stage:
    async with QBittorrentClient(qbt.url, qbt.username, qbt.password) as client:
        for category in ("linux", "bsd"):
            await client.torrents_create_category(category)
        for n in range(20):
            # complete ones are written where qBittorrent saves; the others nowhere it looks
            where = qbt.downloads if n < COMPLETE else folder / "elsewhere"
            _path, torrent = make_payload(
                where, f"Distribution {n + 1:02d}.iso", (n + 1) * 65536, n
            )
            category = ("linux", "bsd", "")[n % 3]
            await client.torrents_add(torrent_files=[torrent], category=category or None)
        listed = await wait_for(
            lambda: _all_settled(client), "20 torrents checked and listed", timeout=60
        )
        hashes = [t.hash for t in sorted(listed, key=lambda t: t.name)]  # 01 … 20
    async with aiohttp.ClientSession() as session:
        await hass.wait_ready(session)
        owner = await hass.onboard(session, OWNER, OWNER_PASSWORD)
        await hass.add_qbittorrent(
            session, owner, url=qbt.url, username=qbt.username, password=qbt.password, push=True
        )
        path = await hass.show_card(session, owner, {"type": "custom:qbt-bridge-card"})
        await hass.add_user(session, owner, username=VIEWER, password=VIEWER_PASSWORD, admin=False)
        viewer = await hass.login(session, VIEWER, VIEWER_PASSWORD)
    return Stage(hass, qbt, owner, viewer, path, hashes)


async def _all_settled(client: QBittorrentClient) -> list[Any] | None:
    torrents = await client.torrents_info()
    checking = any("checking" in t.state.value.lower() for t in torrents)
    return torrents if len(torrents) == 20 and not checking else None


@pytest.fixture(scope="module")
def stage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stage]:
    if CHROMIUM is None:
        pytest.fail("Debian's chromium is not installed (scripts/setup --with-test-releases)")
    qbt = LocalQBittorrent(require(Release.named(RELEASES[-1])))
    hass = LocalHomeAssistant(tmp_path_factory.mktemp("home-assistant"))
    qbt.start()
    hass.start()
    try:
        yield asyncio.run(_prepare(hass, qbt, tmp_path_factory.mktemp("payloads")))
    finally:
        hass.stop()
        log = hass.log.read_text(errors="replace")
        hass.cleanup()
        qbt.cleanup()
    # Home Assistant's own complaints here (no turbojpeg, no metno) are not ours; none may be.
    records = re.split(r"\n(?=\d{4}-\d\d-\d\d )", log)
    ours = [r for r in records if "qbt_bridge" in r and ("Traceback" in r or " ERROR " in r)]
    assert not ours, "\n".join(ours)


@pytest.fixture
async def qbt_client(stage: Stage) -> AsyncIterator[QBittorrentClient]:
    async with QBittorrentClient(stage.qbt.url, stage.qbt.username, stage.qbt.password) as client:
        yield client


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async with playwright.async_playwright() as driver:
        chromium = await driver.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        await chromium.close()


async def _open(browser: Any, stage: Stage, tokens: Tokens, *, width: int = 1280) -> Any:
    """The dashboard as that user sees it, logged in (the frontend's own stored login)."""
    context = await browser.new_context(viewport={"width": width, "height": 900})
    await context.add_init_script(
        f"window.localStorage.setItem('hassTokens', {tokens.browser_storage(stage.hass.base)!r});"
    )
    page = await context.new_page()
    said: list[str] = []
    page.on("console", lambda message: said.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: said.append(f"error: {error}"))
    page.on("requestfailed", lambda request: said.append(f"failed: {request.url}"))
    page.on(
        "response",
        lambda response: (
            said.append(f"{response.status} {response.url}") if "qbt" in response.url else None
        ),
    )
    await page.goto(f"{stage.hass.base}{stage.path}")
    try:
        await page.locator("qbt-bridge-card .row[data-hash]").first.wait_for(timeout=60_000)
    except playwright.Error:
        await _shot(page, "failed-to-open")
        defined = await page.evaluate("!!customElements.get('qbt-bridge-card')")
        said.append(f"qbt-bridge-card defined: {defined}")
        raise AssertionError("the card did not show its rows:\n" + "\n".join(said)) from None
    return page


def _row(page: Any, torrent_hash: str) -> Any:
    return page.locator(f"qbt-bridge-card .row[data-hash='{torrent_hash}']")


async def _shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def test_the_card_shows_every_torrent_with_qbittorrents_figures(
    stage: Stage, browser: Any, qbt_client: QBittorrentClient
) -> None:
    page = await _open(browser, stage, stage.owner)
    torrents = {t.hash: t for t in await qbt_client.torrents_info()}
    rows = page.locator("qbt-bridge-card .row[data-hash]")
    await playwright.expect(rows).to_have_count(len(torrents))
    all_chip = page.locator("qbt-bridge-card .chip").first
    await playwright.expect(all_chip).to_contain_text(str(len(torrents)))
    seeding = page.locator("qbt-bridge-card .chip[data-group='seeding']")
    await playwright.expect(seeding).to_contain_text(str(COMPLETE))
    for torrent_hash, torrent in torrents.items():
        row = _row(page, torrent_hash)
        await playwright.expect(row.locator(".name")).to_have_text(torrent.name)
        bar = row.locator("[role=progressbar]")
        await playwright.expect(bar).to_have_attribute(
            "aria-valuenow", f"{round(torrent.progress * 100, 2):g}"
        )
        await playwright.expect(row.locator(".cell.category")).to_have_text(torrent.category)
    # a state chip filters the list
    await seeding.click()
    await playwright.expect(rows).to_have_count(COMPLETE)
    await _shot(page, "card-seeding")
    await page.locator("qbt-bridge-card .chip").first.click()
    await playwright.expect(rows).to_have_count(len(torrents))
    await _shot(page, "card-list")

    phone = await _open(browser, stage, stage.owner, width=360)
    overflow = await phone.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 360  # nothing wider than a phone
    await _shot(phone, "card-phone")


async def test_pause_stops_the_torrent_in_qbittorrent_and_the_row_follows(
    stage: Stage, browser: Any, qbt_client: QBittorrentClient
) -> None:
    page = await _open(browser, stage, stage.owner)
    target = stage.hashes[0]
    if (await wait_torrent(qbt_client, target)).state.is_stopped:
        await qbt_client.torrents_start(target)
    row = _row(page, target)
    await playwright.expect(row.locator("button.act.pause")).to_be_visible()
    await page.locator("qbt-bridge-card select.duration").select_option("30m")  # for a while
    await row.locator("button.act.pause").click()
    await wait_torrent(qbt_client, target, lambda t: t.state.is_stopped, "stopped by the card")
    # the table's answer says until when; the engine resumes it then (tests/engine: timers)
    await playwright.expect(page.locator("qbt-bridge-card .message.notice")).to_contain_text(
        "Until"
    )
    await playwright.expect(row.locator("button.act.resume")).to_be_visible()
    # the release's own state (stoppedUP on 5.x), in its WebUI's word
    await playwright.expect(row.locator(".state")).to_have_attribute("data-status", "stoppedUP")
    await playwright.expect(row.locator(".state")).to_have_text("Completed")
    await _shot(page, "card-paused")


async def test_a_torrent_added_in_qbittorrent_appears_without_a_reload(
    stage: Stage, browser: Any, qbt_client: QBittorrentClient, tmp_path: Path
) -> None:
    page = await _open(browser, stage, stage.owner)
    _path, torrent = make_payload(tmp_path, "Added elsewhere.iso", 65536, 99)
    loaded = asyncio.get_running_loop().time()
    await qbt_client.torrents_add(torrent_files=[torrent])
    new = page.locator("qbt-bridge-card .row", has_text="Added elsewhere.iso")
    await new.wait_for(timeout=60_000)
    seen = asyncio.get_running_loop().time() - loaded
    print(f"added in qBittorrent, in the card {seen:.2f} s later")  # a figure, not asserted
    await _shot(page, "card-added")


async def test_delete_asks_first_and_then_deletes(
    stage: Stage, browser: Any, qbt_client: QBittorrentClient
) -> None:
    page = await _open(browser, stage, stage.owner)
    target = stage.hashes[-1]
    row = _row(page, target)
    await row.locator("button.act.delete").click()
    dialog = page.locator("qbt-bridge-card [role=dialog]")
    await playwright.expect(dialog).to_be_visible()
    await playwright.expect(dialog.locator("input[type=checkbox]")).not_to_be_checked()
    await _shot(page, "card-delete-asks")
    assert target in {t.hash for t in await qbt_client.torrents_info()}  # asked, not done
    await dialog.locator("button.primary.delete").click()
    await wait_for(
        lambda: _gone(qbt_client, target), "the torrent deleted in qBittorrent", timeout=30
    )
    await playwright.expect(row).to_have_count(0)
    await playwright.expect(dialog).to_have_count(0)


async def _gone(client: QBittorrentClient, torrent_hash: str) -> bool:
    return torrent_hash not in {t.hash for t in await client.torrents_info()}


async def test_a_user_who_is_not_an_admin_sees_the_list_without_buttons(
    stage: Stage, browser: Any
) -> None:
    page = await _open(browser, stage, stage.viewer)
    await playwright.expect(page.locator("qbt-bridge-card .row[data-hash]").first).to_be_visible()
    assert await page.locator("qbt-bridge-card button.act").count() == 0
    assert await page.locator("qbt-bridge-card .global-actions").count() == 0
    await _shot(page, "card-read-only")


async def test_the_visual_editor_offers_every_setting_in_home_assistants_form(
    stage: Stage, browser: Any
) -> None:
    page = await _open(browser, stage, stage.owner)
    changed = await page.evaluate(
        """async () => {
          // what a dashboard's card editor loads first (Home Assistant's form among it)
          const helpers = await window.loadCardHelpers();
          const entities = await helpers.createCardElement({type: "entities", entities: []});
          await entities.constructor.getConfigElement();
          await customElements.whenDefined("ha-form");
          const editor = customElements.get("qbt-bridge-card").getConfigElement();
          editor.hass = document.querySelector("home-assistant").hass;
          editor.setConfig({type: "custom:qbt-bridge-card", sort: "name"});
          document.body.appendChild(editor);
          await editor.updateComplete;
          const seen = new Promise(resolve =>
            editor.addEventListener("config-changed", e => resolve(e.detail.config)));
          const form = editor.shadowRoot.querySelector("ha-form");
          form.dispatchEvent(new CustomEvent("value-changed", {detail: {value: {
            type: "custom:qbt-bridge-card", sort: "name", page_size: 100, columns: [],
            state: ""}}}));
          return await seen;
        }"""
    )
    # an empty choice is left out of the saved config: the card's default applies
    assert changed == {"type": "custom:qbt-bridge-card", "sort": "name", "page_size": 100}
    form = page.locator("qbt-bridge-card-editor ha-form")
    for label in ("Server", "Columns", "Show at first", "Sort by", "Torrents per page"):
        await playwright.expect(form.get_by_text(label, exact=True).first).to_be_visible()
    await _shot(page, "card-editor")


async def test_after_home_assistant_restarts_the_card_follows_again_without_a_reload(
    stage: Stage, browser: Any, qbt_client: QBittorrentClient, tmp_path: Path
) -> None:
    page = await _open(browser, stage, stage.owner)
    await asyncio.to_thread(stage.hass.restart)  # SIGTERM, then the same config and port
    async with aiohttp.ClientSession() as session:
        await stage.hass.wait_ready(session)
    _path, torrent = make_payload(tmp_path, "After the restart.iso", 65536, 98)
    await qbt_client.torrents_add(torrent_files=[torrent])
    # the page was not reloaded: the card subscribed again on the new connection
    new = page.locator("qbt-bridge-card .row", has_text="After the restart.iso")
    try:
        await new.wait_for(timeout=120_000)
    except playwright.Error:
        await _shot(page, "failed-after-restart")
        raise
    await _shot(page, "card-after-restart")
