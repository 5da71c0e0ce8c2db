#!/usr/bin/env python3
"""A shopper's journey through the web store in headless Chromium, clicking and typing as a person would.

Usage: store-journey.py CHROMIUM BASE_URL SCREENSHOT_DIR ADMIN_EMAIL ADMIN_PASSWORD

1. A new visitor puts a product in the cart as a guest, registers (the guest cart joins the account), adds a second
   product, changes a quantity in the cart, gets a field error for a bad postal code, checks out with
   4242 4242 4242 4242, sees the confirmation with the order number, and then its notification on the account page.
2. A declined card (4000 0000 0000 0002) shows the decline message with its code, and the cart is kept.
3. The first order is cancelled from the order history, and the order page shows the refund (or the void).
4. The administrator sees it all on the dashboard: orders by state, the compensations, low stock, the audit.

A screenshot of each page lands in SCREENSHOT_DIR. Prints one line per step and, last, a JSON summary; exits 1 with
the reason (and a screenshot named failure.png) when a step does not happen before its deadline.
"""
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser, Failure  # noqa: E402

chromium, base, shots, admin_email, admin_password = sys.argv[1:6]
os.makedirs(shots, exist_ok=True)
email = f"shopper-{int(time.time() * 1000)}@example.com"
password = "correct horse battery"
summary = {"email": email}
browser = Browser(chromium, deadline=240)
page = None
shot_number = 0


def step(text):
    print(f"step: {text}", flush=True)


def screenshot(name, height=None):
    global shot_number
    shot_number += 1
    path = page.screenshot(os.path.join(shots, f"{shot_number:02d}-{name}.png"), height)
    print(f"screenshot: {path}", flush=True)


def no_error_shown(where):
    error = page.text("#error")
    if error:
        raise Failure(f"{where} shows an error: {error}")


def add_to_cart_from_home(product_id, quantity, cart_count):
    page.click("a.brand")
    # The front page renders twice (at once, then with the products it fetched): a click on the first rendering's card
    # can land on an element just replaced, so the click is made again until the product's page shows.
    card = f'.product-card[data-product-id="{product_id}"] a.card-link'
    detail = f'#product-detail[data-product-id="{product_id}"] #add-to-cart'
    for attempt in range(3):
        page.click(card)
        try:
            page.wait_for_selector(detail, timeout=10)
            break
        except Failure:
            # Still on the front page: the click was lost. Elsewhere the product's page is on its way.
            if attempt == 2 or not page.evaluate(f"!!document.querySelector({json.dumps(card)})"):
                page.wait_for_selector(detail)
                break
    if quantity != 1:
        page.type("#quantity", str(quantity))
    page.click("#add-to-cart")
    page.wait_for_text("#notice", "in your cart")
    page.wait_for(f"document.getElementById('cart-count')?.textContent === '{cart_count}'", f"the cart to hold {cart_count} items")


def fill_card(number):
    page.type("#checkout-card-number", number)
    page.type("#checkout-card-exp-month", "12")
    page.type("#checkout-card-exp-year", "2031")
    page.type("#checkout-card-cvc", "123")


try:
    # 1. A guest's cart, a registration, a second product, the cart page, a checkout.
    step("a visitor opens the store")
    page = browser.open(base + "/")
    page.wait_for_selector('.product-card[data-product-id="p-00001"]')
    page.wait_for_selector("#cart-count")
    screenshot("home")

    step("the visitor puts a kettle in the cart as a guest")
    page.click('.product-card[data-product-id="p-00001"] a.card-link')
    page.wait_for_selector('#product-detail[data-product-id="p-00001"] #add-to-cart')
    page.wait_for_selector("#availability .badge")
    no_error_shown("the product page")
    screenshot("product")
    page.click("#add-to-cart")
    page.wait_for_text("#notice", "in your cart")
    page.wait_for("document.getElementById('cart-count')?.textContent === '1'", "the cart count to show 1")
    if not page.evaluate("!!localStorage.getItem('emporium.cart-token')"):
        raise Failure("the guest's cart token was not kept")

    step("the visitor registers, and the guest cart joins the account")
    page.click("#register-link")
    page.type("#register-email", email)
    page.type("#register-password", password)
    page.click('#register button[type="submit"]')
    page.wait_for_selector("#profile")
    page.wait_for_text("#notice", "in your cart now")
    page.wait_for("document.getElementById('cart-count')?.textContent === '1'", "the merged cart to hold the kettle")
    if page.evaluate("localStorage.getItem('emporium.cart-token')"):
        raise Failure("the guest's cart token is still kept after the merge")

    step("the customer adds two of a second product and lowers it to one in the cart")
    add_to_cart_from_home("p-00002", 2, 3)
    page.click("#cart-link")
    page.wait_for("document.querySelectorAll('#cart-lines tr.cart-line').length === 2", "two lines in the cart")
    page.type("#quantity-p-00002", "1")
    page.click('tr.cart-line[data-product-id="p-00002"] .update-quantity')
    page.wait_for_text("#notice", "Your cart was updated")
    page.wait_for("document.getElementById('cart-count')?.textContent === '2'", "the cart to hold 2 items")
    page.wait_for_selector("#cart-totals [data-total='total']")
    screenshot("cart")

    step("the customer checks out; a wrong postal code is shown next to its field")
    page.click("#checkout-link")
    page.wait_for_selector("#checkout-form #new-address-name")
    page.type("#new-address-name", "Ada Lovelace")
    page.type("#new-address-line1", "Invalidenstraße 116")
    page.type("#new-address-postal-code", "1011")
    page.type("#new-address-city", "Berlin")
    fill_card("4242 4242 4242 4242")
    page.click("#place-order")
    error = page.wait_for_text("#new-address-postal-code-error", "postal code")
    summary["fieldError"] = error
    screenshot("checkout-field-error")
    page.type("#new-address-postal-code", "10115")
    page.wait_for_selector("#checkout-totals [data-total='total']")
    screenshot("checkout")
    page.click("#place-order")

    step("the confirmation shows the order number")
    page.wait_for_selector("#confirmation #order-number")
    number = page.text("#order-number")
    if not re.fullmatch(r"EMP-\d{6}", number or ""):
        raise Failure(f"the confirmation shows no order number: {number!r}")
    summary["order"] = number
    screenshot("confirmation")

    step("the account page shows the order's notification")
    page.click("#account-link")
    page.wait_for_text("#notification-list", f"Your order {number} is confirmed", timeout=60)
    screenshot("account")

    # 2. A declined card: its message with the code, and the cart kept.
    step("a declined card shows its message and code, and the cart is kept")
    add_to_cart_from_home("p-00003", 1, 1)
    page.click("#cart-link")
    page.wait_for_selector('tr.cart-line[data-product-id="p-00003"]')
    page.click("#checkout-link")
    page.wait_for("document.querySelector('#address-choice input[name=\"address\"]:checked')?.value?.startsWith('adr')", "the saved address chosen")
    fill_card("4000 0000 0000 0002")
    page.click("#place-order")
    declined = page.wait_for_text("#checkout-error", "declined")
    code = page.text("#decline-code")
    if code != "card_declined":
        raise Failure(f"the decline code shown is {code!r}, not card_declined: {declined}")
    summary["decline"] = declined
    screenshot("checkout-declined")
    page.click("#cart-link")
    page.wait_for_selector('tr.cart-line[data-product-id="p-00003"]')
    screenshot("cart-kept")

    # 3. The first order, cancelled from the history: the page shows the refund or the void.
    step("the customer cancels the first order from the order history")
    page.click("#orders-nav")
    page.wait_for("document.querySelectorAll('#order-list tr.order-row').length === 2", "two orders in the history")
    screenshot("orders")
    page.click("#order-list a.order-link", number)
    page.wait_for_selector('#order[data-status="confirmed"] #cancel-order')
    page.click("#cancel-order")
    page.click("#confirm-cancel")
    page.wait_for_selector('#order[data-status="cancelled"]', timeout=60)
    refund = page.wait_for_text("#refund-notice", "cancelled")
    if "refunded" not in refund and "voided" not in refund:
        raise Failure(f"the cancelled order says nothing of the money: {refund}")
    summary["refund"] = refund
    summary["payment"] = page.text("#payment")
    screenshot("order-cancelled")

    # 4. The dashboard.
    step("the administrator sees orders, compensations, stock and the audit on the dashboard")
    page.goto(base + "/dashboard.html")
    page.wait_for_selector("#login-form")
    page.type("#login-email", admin_email)
    page.type("#login-password", admin_password)
    page.click('#login-form button[type="submit"]')
    # Counted among the orders by state (a store used before has more), listed among the compensations.
    page.wait_for("Number(document.querySelector('#order-states [data-status=\"cancelled\"] .value')?.textContent) >= 1", "a cancelled order on the dashboard")
    page.wait_for("Number(document.querySelector('#order-states [data-status=\"payment-failed\"] .value')?.textContent) >= 1", "a declined order")
    page.wait_for_text("#compensations-body", number)
    page.wait_for_selector("#stock-body tr.low")
    page.wait_for_text("#audit-body", "checked")
    page.wait_for(f"!!document.getElementById('sagas-body')?.innerText && !document.getElementById('sagas-body').innerText.includes({json.dumps(number)})", "the cancelled order's saga to have ended", timeout=60)
    summary["dashboard"] = page.text("#orders-body")
    # The shop's part at the top, where a person looks first; then the whole page.
    screenshot("dashboard", height=1500)
    screenshot("dashboard-full")

    exceptions = page.exceptions()
    if exceptions:
        raise Failure("the pages threw: " + " | ".join(exceptions))
    print(json.dumps(summary), flush=True)
    browser.close()
except Failure as failure:
    print(f"failed: {failure}", file=sys.stderr, flush=True)
    if page is not None:
        try:
            page.screenshot(os.path.join(shots, "failure.png"))
            print("exceptions: " + " | ".join(page.exceptions()), file=sys.stderr)
        except Failure:
            pass
    browser.process.kill()
    sys.exit(1)
