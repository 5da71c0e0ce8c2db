"""Schemathesis hooks for Emporium: a bearer token from POST /api/v1/auth/login for every authenticated operation.

Loaded by `Tests/Fuzz/schemathesis.sh` through `SCHEMATHESIS_HOOKS`. The environment says whom to log in as:

- `EMPORIUM_FUZZ_URL`: the server's base URL (`http://127.0.0.1:PORT`).
- `EMPORIUM_FUZZ_EMAIL`, `EMPORIUM_FUZZ_PASSWORD`: the account.
- `EMPORIUM_FUZZ_REGISTER=1`: register the account when the login is refused (a customer: the run starts
  without one, and `DELETE /api/v1/me` deletes it; the next case registers it again).

Operations that take no token (`security: []`) get none.

Random identifiers reach only 404s, so before the run the account makes a little data of its own: an address,
an order of `p-00001` paid with the test card `4242 4242 4242 4242` (confirmed, captured, and, as Warehouse's
fulfilment is manual, a shipment waiting to be advanced), and a cart with `p-00002` in it; an administrator also
lowers `p-00003`'s stock in one warehouse to 1, so that Warehouse places a purchase order. Path parameters that
name an address, an order, a payment, a shipment or a purchase order are then drawn either as schemathesis
generates them or from those that exist, and so is a checkout's `addressId`. A customer's data is made again when
`DELETE /api/v1/me` deleted the account and it is registered anew.
"""

import os
import sys
import time
from urllib.parse import quote

import requests
import schemathesis
from hypothesis import strategies as st

BASE_URL = os.environ["EMPORIUM_FUZZ_URL"].rstrip("/")
EMAIL = os.environ["EMPORIUM_FUZZ_EMAIL"]
PASSWORD = os.environ["EMPORIUM_FUZZ_PASSWORD"]
REGISTER = os.environ.get("EMPORIUM_FUZZ_REGISTER") == "1"

# Seconds to keep trying while the server answers 429 or 503 (it sends Retry-After).
PATIENCE = 120


def _post(path, body):
    deadline = time.monotonic() + PATIENCE
    while True:
        response = requests.post(BASE_URL + path, json=body, timeout=30)
        if response.status_code not in (429, 503) or time.monotonic() > deadline:
            return response
        time.sleep(min(float(response.headers.get("Retry-After", "1")), 5))


def _session():
    """A session (accessToken, accessTokenExpiresAt, ...) for the account, registering it first if allowed."""
    credentials = {"email": EMAIL, "password": PASSWORD}
    response = _post("/api/v1/auth/login", credentials)
    registered = False
    if response.status_code == 401 and REGISTER:
        registration = _post("/api/v1/auth/register", credentials)
        if registration.status_code not in (201, 409):
            raise RuntimeError(f"registering {EMAIL}: {registration.status_code} {registration.text}")
        registered = registration.status_code == 201
        response = _post("/api/v1/auth/login", credentials)
    if response.status_code != 200:
        raise RuntimeError(f"logging in as {EMAIL}: {response.status_code} {response.text}")
    session = response.json()
    if not KNOWN:
        # Before the run: a failure here stops it, with the reason.
        _make_data(session)
    elif registered:
        # Mid-run the fuzzer may have left no stock to buy; the old identifiers then simply answer 404.
        try:
            _make_data(session)
        except RuntimeError as error:
            print(f"schemathesis_hooks: {error}", file=sys.stderr)
    return session


# Identifiers that exist, by the kind of thing they name; the lists are changed in place, never replaced.
KNOWN = {}
KINDS = ("address", "order", "payment", "shipment", "purchase-order")


def _make_data(session):
    """An address, an order, a cart with a line; and, for an administrator, what the admin lists show."""
    headers = {"Authorization": f"Bearer {session['accessToken']}"}

    def call(method, path, body=None, extra=None):
        all_headers = {**headers, **(extra or {})}
        response = requests.request(method, BASE_URL + path, json=body, headers=all_headers, timeout=60)
        if response.status_code >= 400:
            raise RuntimeError(f"preparing data: {method} {path}: {response.status_code} {response.text}")
        return response.json() if response.content else None

    found = {kind: [] for kind in KINDS}
    address = {
        "name": "Fuzz Tester",
        "line1": "Invalidenstraße 116",
        "city": "Berlin",
        "postalCode": "10115",
        "country": "DE",
    }
    found["address"].append(call("POST", "/api/v1/me/addresses", address)["id"])
    call("POST", "/api/v1/cart/items", {"productId": "p-00001", "quantity": 1})
    card = {"number": "4242424242424242", "expMonth": 12, "expYear": 2040, "cvc": "123"}
    key = {"Idempotency-Key": f"fuzz-{session['user']['id']}"}
    order = call("POST", "/api/v1/checkout", {"addressId": found["address"][0], "card": card}, key)
    found["order"].append(order["id"])
    call("POST", "/api/v1/cart/items", {"productId": "p-00002", "quantity": 2})
    if session["user"]["role"] == "admin":
        # A warehouse falling to its low-stock threshold makes Warehouse order more from the supplier.
        stock = call("GET", "/api/v1/admin/inventory/p-00003")["warehouses"][0]
        if stock["onHand"] > 1:
            adjustment = {"warehouse": stock["warehouse"], "delta": 1 - stock["onHand"], "reason": "fuzz run"}
            call("POST", "/api/v1/admin/inventory/p-00003/adjustments", adjustment)
        # The order's capture and shipment, and the purchase order, follow in the background.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            shipments = call("GET", "/api/v1/admin/shipments")
            purchase_orders = call("GET", "/api/v1/admin/purchase-orders")
            if shipments and purchase_orders:
                break
            time.sleep(0.2)
        found["shipment"] += [item["id"] for item in shipments]
        found["purchase-order"] += [item["id"] for item in purchase_orders]
        found["payment"] += [item["id"] for item in call("GET", "/api/v1/admin/payments")["items"]]
    for kind in KINDS:
        KNOWN.setdefault(kind, [])[:] = found[kind]


def _takes_no_token(context):
    return context.operation.definition.raw.get("security") == []


# Access tokens live 15 minutes: a new one every 10. A 401 to an authenticated call (the customer's account was
# deleted by DELETE /api/v1/me) makes schemathesis ask for a new token and send the call again.
@schemathesis.auth(refresh_interval=600).skip_for(_takes_no_token)
class EmporiumLogin:
    def get(self, case, context):
        return _session()["accessToken"]

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


# The kind of identifier each templated path names.
PATH_KINDS = {
    "/api/v1/me/addresses/{id}": "address",
    "/api/v1/orders/{id}": "order",
    "/api/v1/orders/{id}/cancel": "order",
    "/api/v1/orders/{id}/returns": "order",
    "/api/v1/admin/orders/{id}": "order",
    "/api/v1/admin/payments/{id}": "payment",
    "/api/v1/admin/payments/{id}/refunds": "payment",
    "/api/v1/admin/shipments/{id}": "shipment",
    "/api/v1/admin/shipments/{id}/advance": "shipment",
    "/api/v1/admin/shipments/{id}/cancel": "shipment",
    "/api/v1/admin/purchase-orders/{id}/receive": "purchase-order",
}


def _or_known(kind, value, replace):
    """`value` as generated, or `replace(id)` for an identifier of `kind` that exists."""
    known = KNOWN.get(kind)
    if not known:
        return st.just(value)
    # The list is read when the case is drawn, so a list made again after a deletion is used at once.
    existing = st.integers(0, len(known) - 1).map(lambda index: replace(known[index % len(known)]) if known else value)
    return st.one_of(st.just(value), existing)


@schemathesis.hook
def flatmap_path_parameters(context, path_parameters):
    kind = PATH_KINDS.get(context.operation.path)
    if kind is None or not isinstance(path_parameters, dict) or "id" not in path_parameters:
        return st.just(path_parameters)
    return _or_known(kind, path_parameters, lambda id: {**path_parameters, "id": id})


@schemathesis.hook
def flatmap_body(context, body):
    if context.operation.path != "/api/v1/checkout" or not isinstance(body, dict) or "addressId" not in body:
        return st.just(body)
    return _or_known("address", body, lambda id: {**body, "addressId": id})



@schemathesis.hook
def after_call(context, case, response):
    # Taking an instance down is a drill: every call to it fails until it is brought up again, and with one instance
    # per service the rest of the run would meet 503s. Its answer is checked; then it is brought up at once.
    taken_down = case.method.upper() == "POST" and case.operation.path == "/admin/instances/{id}/down"
    if taken_down and response.status_code == 200:
        instance = quote(str(case.path_parameters["id"]), safe="")
        headers = {"Authorization": case.headers["Authorization"]}
        up = requests.post(f"{BASE_URL}/admin/instances/{instance}/up", headers=headers, timeout=30)
        if up.status_code != 200:
            raise RuntimeError(f"bringing {instance} up again: {up.status_code} {up.text}")
    # Setting a fault is a drill too (a latency of up to ten minutes, or every call failing): cleared at once.
    fault_set = case.method.upper() == "PUT" and case.operation.path == "/admin/faults/{target}"
    if fault_set and response.status_code == 200:
        target = quote(str(case.path_parameters["target"]), safe="")
        headers = {"Authorization": case.headers["Authorization"]}
        cleared = requests.delete(f"{BASE_URL}/admin/faults/{target}", headers=headers, timeout=30)
        if cleared.status_code != 200:
            raise RuntimeError(f"clearing the fault on {target}: {cleared.status_code} {cleared.text}")


# Log in and make the data before the first case is generated, so every run draws from the same start.
_session()
