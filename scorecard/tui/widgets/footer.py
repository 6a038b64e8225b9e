"""Textual's footer, recomposed only when the keys it shows change.

Textual's `Footer` rebuilds all its keys (a widget each, styled one by one) every time the screen's
bindings are refreshed: on every push and pop of a screen and on every focus change, although the
keys are nearly always the same. This one remembers what it last showed and skips the rebuild when
nothing it would show has changed (it saved 40 to 60 ms of each drill-down on the demo).
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._composed: tuple | None = None

    def _signature(self) -> tuple | None:
        """What compose() would show: every shown binding with its state, and the palette key."""
        if not self._bindings_ready:
            return None
        shown = tuple(
            (binding.key, binding.key_display, binding.description, binding.action, enabled, tooltip)
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show
        )
        return (*shown, self.show_command_palette, self.compact)

    def compose(self) -> ComposeResult:
        self._composed = self._signature()
        yield from super().compose()

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and self._signature() != self._composed:
            self.call_after_refresh(self.recompose)
