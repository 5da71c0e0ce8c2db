"""Headless Chromium driven over the DevTools protocol, with nothing beyond Python's standard library.

Chromium runs with --remote-debugging-pipe: commands go in on fd 3 and answers and events come out on fd 4, each a
JSON message ended by a NUL byte. A `Page` is one tab; it acts as a person would (moves the mouse to an element and
clicks it, types into the focused field, presses keys) and waits for what the person would wait for: a selector or
a text appearing in the DOM, polled until a deadline, never a fixed sleep.

    browser = Browser("/usr/bin/chromium", deadline=120)
    page = browser.open("http://127.0.0.1:8080/")
    page.click('.product-card[data-product-id="p-00001"] a')
    page.wait_for_text("#product-detail h1", "Kettle")
    page.screenshot("product.png")
    browser.close()
"""
import base64
import json
import os
import subprocess
import tempfile
import time


class Failure(Exception):
    """A step that did not happen: what was expected, and what the page showed instead."""


class Browser:
    """A headless Chromium with its own throw-away profile; everything must happen before `deadline` seconds pass."""

    def __init__(self, chromium, deadline=120, width=1280, height=900):
        self.deadline = time.monotonic() + deadline
        self.width, self.height = width, height
        self._to_read, self._to_write = os.pipe()
        self._from_read, self._from_write = os.pipe()
        profile = tempfile.mkdtemp(prefix="emporium-cdp-")

        def attach_pipes():
            os.dup2(self._to_read, 3)
            os.dup2(self._from_write, 4)

        self.process = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
             "--hide-scrollbars", "--lang=en-GB", f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"],
            pass_fds=(3, 4), preexec_fn=attach_pipes, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        os.close(self._to_read)
        os.close(self._from_write)
        self._buffer = b""
        self._next_id = 0
        # Events that arrived while waiting for answers, per session: JavaScript exceptions are looked at later.
        self.events = []

    def seconds_left(self):
        return self.deadline - time.monotonic()

    def send(self, method, params=None, session=None):
        """Sends a command and returns its result; events that arrive meanwhile are kept in `events`."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_write, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in self._buffer:
                if self.seconds_left() < 0:
                    raise Failure(f"the browser did not answer {method} before the deadline")
                chunk = os.read(self._from_read, 1 << 16)
                if not chunk:
                    raise Failure("chromium closed the pipe")
                self._buffer += chunk
            raw, self._buffer = self._buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise Failure(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def open(self, url):
        """A new tab at `url`, the size of a laptop screen."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        page.send("Runtime.enable")
        page.send("Page.enable")
        page.send("Emulation.setDeviceMetricsOverride", {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False})
        page.goto(url)
        return page

    def close(self):
        try:
            self.send("Browser.close")
            self.process.wait(timeout=10)
        except Exception:
            self.process.kill()


class Page:
    """One tab, used as a person would use it."""

    def __init__(self, browser, session):
        self.browser = browser
        self.session = session

    def send(self, method, params=None):
        return self.browser.send(method, params, self.session)

    # MARK: - Reading the page

    def evaluate(self, expression):
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = self.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True, "returnByValue": True})
        if "exceptionDetails" in result:
            raise Failure(f"evaluating {expression[:80]!r}: {result['exceptionDetails'].get('exception', {}).get('description', result['exceptionDetails'])}")
        return result.get("result", {}).get("value")

    def text(self, selector="body"):
        """The visible text of the first element matching `selector`, or None."""
        return self.evaluate(f"document.querySelector({json.dumps(selector)})?.innerText ?? null")

    def exceptions(self):
        """The uncaught JavaScript exceptions of this tab so far, as text."""
        return [
            event["params"]["exceptionDetails"].get("exception", {}).get("description") or event["params"]["exceptionDetails"].get("text")
            for event in self.browser.events
            if event.get("method") == "Runtime.exceptionThrown" and event.get("sessionId") == self.session
        ]

    def wait_for(self, expression, what, timeout=30):
        """Polls `expression` until it is truthy and returns its value; fails saying `what` did not happen."""
        end = min(time.monotonic() + timeout, self.browser.deadline)
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > end:
                shown = (self.text() or "")[:1500]
                raise Failure(f"timed out waiting for {what}; the page shows:\n{shown}")
            time.sleep(0.1)

    def wait_for_selector(self, selector, timeout=30):
        """Waits until an element matching `selector` is shown (attached, not hidden)."""
        return self.wait_for(f"(() => {{ const node = document.querySelector({json.dumps(selector)}); return !!node && node.getClientRects().length > 0; }})()", selector, timeout)

    def wait_for_text(self, selector, text, timeout=30):
        """Waits until an element matching `selector` shows `text` and returns its whole text."""
        return self.wait_for(
            f"[...document.querySelectorAll({json.dumps(selector)})].map((node) => node.innerText).find((shown) => shown.includes({json.dumps(text)})) ?? null",
            f"{text!r} in {selector}",
            timeout,
        )

    # MARK: - Acting

    def goto(self, url):
        """Goes to `url` as a person typing it in the address bar, and waits for the document to load."""
        self.send("Page.navigate", {"url": url})
        self.wait_for("document.readyState === 'complete'", f"{url} to load")

    def _point(self, selector, text=None):
        """The centre of the element a person would click, scrolled into view; it must be the topmost thing there."""
        finder = (
            f"[...document.querySelectorAll({json.dumps(selector)})].find((node) => node.innerText.includes({json.dumps(text)}))"
            if text is not None
            else f"document.querySelector({json.dumps(selector)})"
        )
        what = selector + (f" showing {text!r}" if text is not None else "")
        self.wait_for(
            f"""(() => {{
                const node = {finder};
                if (!node || node.getClientRects().length === 0 || node.disabled) return false;
                node.scrollIntoView({{ block: 'center', inline: 'center' }});
                // A link that wraps has a box per line: aim at the first, as a person aims at the text.
                const box = node.getClientRects()[0];
                const top = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
                return !!top && (top === node || node.contains(top) || (node.control && top === node.control));
            }})()""",
            f"{what} to be clickable",
        )
        return self.evaluate(f"(() => {{ const box = {finder}.getClientRects()[0]; return [box.x + box.width / 2, box.y + box.height / 2]; }})()")

    def click(self, selector, text=None):
        """Moves the mouse to the element (the first matching `selector`, or the first showing `text`) and clicks."""
        x, y = self._point(selector, text)
        self.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})
        self.send("Input.dispatchMouseEvent", {"type": "mousePressed", "x": x, "y": y, "button": "left", "clickCount": 1})
        self.send("Input.dispatchMouseEvent", {"type": "mouseReleased", "x": x, "y": y, "button": "left", "clickCount": 1})

    def type(self, selector, text):
        """Clicks into a field, selects what it holds, and types `text` over it."""
        self.click(selector)
        if self.evaluate(f"document.querySelector({json.dumps(selector)}).value !== ''"):
            self.key("a", "KeyA", 65, modifiers=2, commands=["selectAll"])
            self.key("Backspace", "Backspace", 8)
        self.send("Input.insertText", {"text": text})

    def key(self, key, code, key_code, modifiers=0, text=None, commands=None):
        """Presses and releases one key."""
        down = {"type": "keyDown" if text else "rawKeyDown", "key": key, "code": code, "windowsVirtualKeyCode": key_code,
                "nativeVirtualKeyCode": key_code, "modifiers": modifiers}
        if text:
            down["text"] = text
        if commands:
            down["commands"] = commands
        self.send("Input.dispatchKeyEvent", down)
        self.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": key, "code": code, "windowsVirtualKeyCode": key_code,
                                             "nativeVirtualKeyCode": key_code, "modifiers": modifiers})

    def press_enter(self):
        self.key("Enter", "Enter", 13, text="\r")

    # MARK: - Pictures

    def screenshot(self, path, height=None):
        """Saves the whole page as a PNG, not only what fits on the screen; or its first `height` pixels."""
        metrics = self.send("Page.getLayoutMetrics")
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        full = max(size["height"], 200)
        clip = {"x": 0, "y": 0, "width": max(size["width"], self.browser.width), "height": min(full, height or full), "scale": 1}
        image = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip})["data"]
        with open(path, "wb") as file:
            file.write(base64.b64decode(image))
        return path
