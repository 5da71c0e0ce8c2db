#!/usr/bin/env python3
"""Logs in to the operations dashboard in headless Chromium and prints the page's DOM once it shows the system.

Usage: dashboard-login.py CHROMIUM BASE_URL EMAIL PASSWORD [SCREENSHOT.png]

Drives Chromium over the DevTools protocol (see cdp.py), typing into the login form and clicking its button as a
person would. Exits 0 after printing the DOM, 1 with a reason on stderr when the dashboard does not show services
within the deadline.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser, Failure  # noqa: E402

chromium, base, email, password = sys.argv[1:5]
screenshot = sys.argv[5] if len(sys.argv) > 5 else None
browser = Browser(chromium, deadline=45)
try:
    page = browser.open(base + "/dashboard.html")
    page.wait_for_selector("#login-form")
    page.type("#login-email", email)
    page.type("#login-password", password)
    page.click('#login-form button[type="submit"]')
    # Logged in, the dashboard polls the operations API and draws the services with their instances.
    page.wait_for("document.body.innerText.includes('catalog-1') && document.body.innerText.includes('search-1')", "the services")
    if screenshot:
        # A second poll gives the rates two samples, and the sparkline appears.
        page.wait_for_selector(".sparkline")
        page.screenshot(screenshot)
    print(page.evaluate("document.documentElement.outerHTML"))
    browser.close()
except Failure as failure:
    print(failure, file=sys.stderr)
    browser.process.kill()
    sys.exit(1)
