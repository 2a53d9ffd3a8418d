"""A login typed into the window's login panel and submitted with the button."""

from __future__ import annotations

from app.login_panel import LoginPanel


def log_in(panel: LoginPanel, user_id: str, passkey: str) -> None:
    panel.user_edit.setText(user_id)
    panel.password_edit.setText(passkey)
    panel.login_button.click()
