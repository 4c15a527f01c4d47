import base64
import logging
import os
import re
import unittest
from contextlib import contextmanager
from pathlib import Path
from unittest.mock import patch

import odoo.http
from odoo.tests import HttpCase, new_test_user
from odoo.tests.common import ChromeBrowser, _find_executable

_logger = logging.getLogger(__name__)

# addons/crm_erp_bridge/tests/tour_common.py -> repository root
DEFAULT_SCREENSHOT_DIR = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"


class CrmTourCase(HttpCase):
    """Tours of the suite's journeys. Each tour ends on the journey's key screen, which is saved as a
    PNG (``$CRM_SCREENSHOT_DIR``, default ``artifacts/screenshots/`` of the repository, git-ignored)
    just before the browser closes."""

    browser_size = "1280,800"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Odoo skips a tour without a browser or websocket-client; ours fail, saying what to install
        try:
            import websocket  # noqa: F401  pylint: disable=unused-import
        except ImportError as error:
            raise AssertionError(
                "The tours need Python's websocket-client: run scripts/setup.sh (it is in requirements.txt)."
            ) from error
        try:
            _find_executable()
        except unittest.SkipTest as error:
            raise AssertionError(
                "The tours need a Chromium browser: apt-get install chromium (scripts/setup.sh does it)."
            ) from error
        # journeys run in English (zh_CN-only databases exist: the demo one); one journey runs in Chinese
        cls.env["res.lang"]._activate_lang("en_US")
        # Parse every manifest now, in this thread: the HTTP server otherwise does it lazily on the first
        # static request, concurrently with other requests, and Python 3.11's parser is not thread-safe
        # ("AST constructor recursion depth mismatch": a page then loads without its stylesheets).
        odoo.http.root.statics  # noqa: B018 pylint: disable=pointless-statement

    def _journey_user(self, login, groups, lang="en_US", **values):
        """The user who walks a journey (the tour logs in with the login as password)."""
        return new_test_user(self.env, login=login, groups=groups, lang=lang, **values)

    @contextmanager
    def _screenshot_on_close(self, name):
        assert re.fullmatch(r"[a-z0-9_]+", name)
        target = Path(os.environ.get("CRM_SCREENSHOT_DIR") or DEFAULT_SCREENSHOT_DIR) / f"{name}.png"
        original_stop = ChromeBrowser.stop
        saved = []

        def stop(browser):
            # The tour succeeded or failed; either way its last screen is what we want to see.
            if getattr(browser, "ws", None) is not None:
                try:
                    shot = browser._websocket_request("Page.captureScreenshot", params={"format": "png"})
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(base64.b64decode(shot["data"]))
                    saved.append(target)
                except (OSError, TimeoutError, KeyError, ValueError) as error:  # never decides the outcome
                    _logger.warning("Screenshot %s not saved: %s", name, error)
            return original_stop(browser)

        with patch.object(ChromeBrowser, "stop", stop):
            yield saved

    def start_journey(self, url, tour, login, screenshot):
        with self._screenshot_on_close(screenshot) as saved:
            self.start_tour(url, tour, login=login)
        self.assertTrue(saved, f"the key screen of {tour} was not captured")
