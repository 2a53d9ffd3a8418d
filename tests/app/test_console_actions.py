"""The console's context menus and forms, through the real window over a running suite.

Three rejects put alice in the cool-down, the console says so (and never "ok"),
"Clear push cool-down" ends it and the next login is accepted; each form shows
its validation error next to the field and keeps what was typed; a user is
created and deleted; the domain's push timeout set to 5 s makes a login time
out after 5 s.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.console_forms import ConsoleForm
from app.main_window import MainWindow
from app.server_console import ServerConsole
from core.seed import DEMO_PASSWORD
from tests.app.test_main_window import (
    console_shows,
    login_where,
    request_shown,
    run_window,
    signalled,
    tree_text,
    view_where,
)


def test_console_actions_and_forms(qapp: QApplication, tmp_path: Path) -> None:
    async def main(window: MainWindow) -> None:
        await window.console.suite.start()
        await console_shows(window, "alice@demo · ok")
        await cool_down_and_clear(window)
        await user_forms(window)
        await push_app_form(window)
        await authenticator_actions(window)
        await domain_push_timeout(window)

    run_window(qapp, tmp_path, main, timeout=120)


async def menu_pick(console: ServerConsole, row: str, entry: str) -> None:
    menu = console.menu_for(console.item_where(row))
    assert menu is not None, f"{row} has a context menu"
    (action,) = [a for a in menu.actions() if a.text() == entry]
    action.trigger()


async def open_form(console: ServerConsole, row: str, entry: str) -> ConsoleForm:
    opened: asyncio.Future[ConsoleForm] = asyncio.get_running_loop().create_future()

    def on_open(form: ConsoleForm) -> None:
        if not opened.done():
            opened.set_result(form)

    console.opened.connect(on_open)
    await menu_pick(console, row, entry)
    form = await asyncio.wait_for(opened, 15)
    assert console.form_area.isVisible()
    return form


async def refused(form: ConsoleForm, field: str) -> str:
    """Submit and wait until the error next to ``field`` shows."""
    form.submit_button.click()
    return await signalled(form.failed, lambda: form.error_text(field), bool, f"{field} error")


async def login(window: MainWindow, user: str, passkey: str) -> None:
    panel = window.login_panel
    panel.user_edit.setText(user)
    panel.password_edit.setText(passkey)
    panel.login_button.click()


async def cool_down_and_clear(window: MainWindow) -> None:
    alice = window.phones.cards["alice-pixel"]
    panel = window.login_panel
    for n in range(3):
        await login(window, "alice", "push" + DEMO_PASSWORD)
        await login_where(panel, lambda s: s.phase == "pending", f"login {n} pending")
        await view_where(alice, request_shown, "alice's request")
        alice.reject_button.click()
        await login_where(panel, lambda s: s.phase == "refused", f"login {n} refused")
    await console_shows(window, "alice@demo · in cool-down for")
    assert "alice@demo · ok" not in tree_text(window)
    first = window.console.item_where("alice@demo").text(0)
    await signalled(
        window.console.shown,
        lambda: window.console.item_where("alice@demo").text(0),
        lambda now: now != first and "in cool-down for" in now,
        "the cool-down counting down",
    )
    await login(window, "alice", "push" + DEMO_PASSWORD)
    await login_where(panel, lambda s: s.phase == "error" and "cool-down" in s.message, "429")

    await menu_pick(window.console, "alice@demo", "Clear push cool-down")
    await console_shows(window, "alice@demo · ok")
    assert "cool-down and push count cleared" in window.console.status.text()
    await login(window, "alice", "push" + DEMO_PASSWORD)
    await view_where(alice, request_shown, "alice's request after the clear")
    alice.approve_button.click()
    await login_where(panel, lambda s: s.phase == "accepted", "the login after the clear")


async def user_forms(window: MainWindow) -> None:
    console = window.console
    form = await open_form(console, "Users and authenticators", "New user…")
    form.editor("user_id").setText("carol smith")
    form.editor("password").setText("s3cret")
    assert "no space" in await refused(form, "user_id")
    assert form.editor("password").text() == "s3cret", "nothing typed is lost"
    form.editor("user_id").setText("alice")
    assert "exists already" in await refused(form, "user_id")
    form.editor("user_id").setText("carol")
    form.submit_button.click()
    await console_shows(window, "carol@demo · ok")
    assert console.form is None
    assert "carol@demo created" in console.status.text()

    form = await open_form(console, "carol@demo", "Delete user…")
    form.submit_button.click()
    await signalled(console.shown, lambda: tree_text(window), lambda t: "carol@demo" not in t, "")
    assert "carol@demo deleted" in console.status.text()


async def push_app_form(window: MainWindow) -> None:
    console = window.console
    item = console.item_where("(ios)")
    app_id = item.text(0).split(" ")[0]
    form = await open_form(console, "(ios)", "Edit Bundle ID…")
    assert (
        f"the app ID ({app_id}) is used as the Bundle ID"
        in form.findChild(type(console.status), "fieldHint").text()
    )
    form.editor("apns_bundle_id").setText("not a bundle")
    assert "Bundle ID like" in await refused(form, "apns_bundle_id")
    form.editor("apns_bundle_id").setText("")
    form.submit_button.click()
    await signalled(console.said, console.status.text, lambda t: "Bundle ID" in t, "saved")
    await console_shows(window, f"Bundle ID {app_id}")


async def authenticator_actions(window: MainWindow) -> None:
    console = window.console
    bob = window.suite.phone_for("bob")
    serial = bob.app.serial
    assert serial is not None
    await menu_pick(console, serial, "Ask the phone to re-register push")
    await signalled(console.said, console.status.text, lambda t: "register" in t, "re-register")
    assert f"{bob.name}: asked to register for push again" == console.status.text()
    await menu_pick(console, serial, "Unlock")  # active: the core refuses, the line says why
    await signalled(console.said, console.status.text, lambda t: "refused" in t, "refusal")
    assert "cannot become active" in console.status.text()


async def domain_push_timeout(window: MainWindow) -> None:
    console = window.console
    form = await open_form(console, "demo · app", "Edit domain settings…")
    form.editor("push_timeout").setText("0")
    assert await refused(form, "push_timeout") == "must be 1-300 seconds"
    form.editor("push_timeout").setText("five")
    assert await refused(form, "push_timeout") == "must be a whole number"
    form.editor("push_timeout").setText("300")
    keywords = form.editor("keywords").text()
    form.editor("keywords").setText("push")
    assert "keyword=protection" in await refused(form, "keywords")
    form.editor("keywords").setText("push=retina")
    assert "device|pin|fingerprint" in await refused(form, "keywords")
    form.editor("keywords").setText(keywords)
    form.editor("lockout_threshold").setText("101")
    assert await refused(form, "lockout_threshold") == "must be 1-100"
    form.editor("lockout_threshold").setText("5")
    form.editor("push_rate_window").setText("0")
    assert await refused(form, "push_rate_window") == "must be 1-86400 seconds"
    form.editor("push_rate_window").setText("60")
    assert form.editor("push_timeout").text() == "300", "the other fields kept what was typed"
    form.editor("push_timeout").setText("5")
    form.submit_button.click()
    await console_shows(window, "push timeout 5 s")

    panel = window.login_panel
    bob = window.phones.cards["bob-iphone"]
    await login(window, "bob", "PIN" + DEMO_PASSWORD)
    await login_where(panel, lambda s: s.phase == "pending", "bob's login pending")
    sent = time.monotonic()
    await view_where(bob, request_shown, "bob's request")
    await login_where(panel, lambda s: s.phase == "timeout", "bob's login timed out")
    waited = time.monotonic() - sent
    assert 3.5 <= waited <= 8, f"timed out after {waited:.1f} s"
