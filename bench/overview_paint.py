"""First paint of the Customer Relations overview in a real browser (headless Chromium), on a running server.

    bench/overview_paint.py --url http://127.0.0.1:8069 --db crm_bench_1 --login admin --password admin

Logs in over HTTP, hands the session cookie to Chromium (DevTools protocol) and opens the overview's client
action; the first paint is the time from the navigation's start (``performance.timeOrigin``) until every
chart of the overview is drawn (each ``canvas`` of ``.o_crm_dashboard`` has a Chart.js chart). The web
client's assets are served from the browser's cache after the first run, as for a user who opened Odoo
before: the first run is reported apart ("cold"). Prints one JSON line per run.
"""

import argparse
import json
import subprocess
import tempfile
import time
from urllib.parse import urlparse

import requests
import websocket

READY = """(() => {
    const canvases = [...document.querySelectorAll('.o_crm_dashboard canvas')];
    const drawn = canvases.length > 0 && canvases.every((c) => window.Chart && window.Chart.getChart(c));
    return drawn ? performance.now() : null;
})()"""


class DevTools:
    def __init__(self, ws_url):
        self.ws = websocket.create_connection(ws_url, timeout=60)
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(message["error"])
                return message.get("result", {})


def session_cookie(url, db, login, password):
    session = requests.Session()
    session.post(
        f"{url}/web/session/authenticate",
        json={"jsonrpc": "2.0", "params": {"db": db, "login": login, "password": password}},
        timeout=60,
    ).raise_for_status()
    return session.cookies["session_id"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--db", required=True)
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--chromium", default="chromium")
    args = parser.parse_args()
    cookie = session_cookie(args.url, args.db, args.login, args.password)
    port = 9333
    with tempfile.TemporaryDirectory() as profile:
        browser = subprocess.Popen(
            [
                args.chromium,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                f"--remote-debugging-port={port}",
                f"--user-data-dir={profile}",
                "--window-size=1400,900",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    targets = requests.get(f"http://127.0.0.1:{port}/json", timeout=5).json()
                    page = next(t for t in targets if t["type"] == "page")
                    break
                except (requests.ConnectionError, StopIteration):
                    time.sleep(0.1)
            tools = DevTools(page["webSocketDebuggerUrl"])
            tools.call("Network.enable")
            tools.call(
                "Network.setCookie",
                name="session_id",
                value=cookie,
                domain=urlparse(args.url).hostname,
                path="/",
            )
            tools.call("Page.enable")
            for run in range(args.runs):
                tools.call("Page.navigate", url=f"{args.url}/odoo/action-crm_dashboard.crm_dashboard_action")
                deadline = time.monotonic() + 60
                painted = None
                while painted is None and time.monotonic() < deadline:
                    time.sleep(0.05)
                    result = tools.call("Runtime.evaluate", expression=READY, returnByValue=True)
                    painted = result.get("result", {}).get("value")
                print(
                    json.dumps(
                        {
                            "name": "9b. Customer Relations overview, first paint in the browser",
                            "run": "cold" if run == 0 else "warm",
                            "first_paint_s": round(painted / 1000, 3) if painted else None,
                        }
                    ),
                    flush=True,
                )
        finally:
            browser.terminate()
            browser.wait(10)


if __name__ == "__main__":
    main()
