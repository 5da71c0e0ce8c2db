#!/usr/bin/env python3
"""Logs in to the operations dashboard in headless Chromium and prints the page's DOM once it shows the system.

Usage: dashboard-login.py CHROMIUM BASE_URL EMAIL PASSWORD [SCREENSHOT.png]

Drives Chromium over the DevTools protocol on --remote-debugging-pipe (fd 3 in, fd 4 out, NUL-separated JSON), so
it needs nothing beyond the standard library. Exits 0 after printing the DOM, 1 with a reason on stderr when the
dashboard does not show services within the deadline.
"""
import base64
import json
import os
import subprocess
import sys
import tempfile
import time

chromium, base, email, password = sys.argv[1:5]
screenshot = sys.argv[5] if len(sys.argv) > 5 else None
deadline = time.monotonic() + 45

to_browser_read, to_browser_write = os.pipe()
from_browser_read, from_browser_write = os.pipe()
profile = tempfile.mkdtemp(prefix="emporium-cdp-")


def attach_pipes():
    os.dup2(to_browser_read, 3)
    os.dup2(from_browser_write, 4)


browser = subprocess.Popen(
    [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
     f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"],
    pass_fds=(3, 4), preexec_fn=attach_pipes, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
)
os.close(to_browser_read)
os.close(from_browser_write)
buffer = b""
next_id = 0


def fail(reason):
    print(reason, file=sys.stderr)
    browser.kill()
    sys.exit(1)


def send(method, params=None, session=None):
    """Sends a command and returns its result, skipping events."""
    global next_id, buffer
    next_id += 1
    message = {"id": next_id, "method": method, "params": params or {}}
    if session:
        message["sessionId"] = session
    os.write(to_browser_write, json.dumps(message).encode() + b"\0")
    while True:
        while b"\0" not in buffer:
            if time.monotonic() > deadline:
                fail(f"no answer to {method}")
            chunk = os.read(from_browser_read, 65536)
            if not chunk:
                fail("chromium closed the pipe")
            buffer += chunk
        raw, buffer = buffer.split(b"\0", 1)
        reply = json.loads(raw)
        if reply.get("id") == next_id:
            if "error" in reply:
                fail(f"{method}: {reply['error']}")
            return reply.get("result", {})


def evaluate(session, expression):
    result = send("Runtime.evaluate", {"expression": expression, "awaitPromise": True, "returnByValue": True}, session)
    return result.get("result", {}).get("value")


def wait_for(session, expression, what):
    while time.monotonic() < deadline:
        if evaluate(session, expression):
            return
        time.sleep(0.1)
    fail(f"timed out waiting for {what}; the page shows: {evaluate(session, 'document.body.innerText')[:2000]}")


target = send("Target.createTarget", {"url": base + "/dashboard.html"})["targetId"]
session = send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
wait_for(session, "!!document.getElementById('login-form')", "the login form")
evaluate(session, f"""
    document.getElementById('login-email').value = {json.dumps(email)};
    document.getElementById('login-password').value = {json.dumps(password)};
    document.getElementById('login-form').requestSubmit();
    true
""")
# Logged in, the dashboard polls the operations API and draws the services with their instances.
wait_for(session, "document.body.innerText.includes('catalog-1') && document.body.innerText.includes('search-1')", "the services")
if screenshot:
    send("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": 1000, "deviceScaleFactor": 1, "mobile": False}, session)
    time.sleep(2.5)  # one more poll, so the rates have two samples
    image = send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session)["data"]
    with open(screenshot, "wb") as file:
        file.write(base64.b64decode(image))
print(evaluate(session, "document.documentElement.outerHTML"))
send("Browser.close")
browser.wait(timeout=10)
