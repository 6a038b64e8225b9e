"""What every screen of the app shares: typed access to the app (its state and its engine service)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from ..application import ScorecardApp


class AppAccess:
    """Mixed into screens: `self.sc` is the running ScorecardApp."""

    app: Any

    @property
    def sc(self) -> ScorecardApp:
        return cast("ScorecardApp", self.app)
