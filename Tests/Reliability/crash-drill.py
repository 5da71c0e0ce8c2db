#!/usr/bin/env python3
"""The crash drill: `emporium serve` killed with SIGKILL at random moments under `emporium load`, and what the
clients were told checked against the books afterwards.

Usage, from anywhere (the release binary must be built: `swift build -c release --product emporium`):

    Tests/Reliability/crash-drill.py [--kills 50] [--users 16] [--think 0ms-100ms] [--between 0.3-4]
                                     [--settle 300] [--binary PATH] [--keep]

1. Starts `emporium serve` on a fresh data directory and a free port (`--rate-limit 0`, `identity.password-cost=1`,
   `inventory.seed=fixture`, a known administrator password) and waits for `/ready`; reads every product's stock.
2. Starts `emporium load --record FILE` against it: shoppers register, log in, browse and check out, and every
   checkout's answer is appended to FILE as it arrives (the load stocks the products it buys first, and records
   those adjustments too).
3. Once a checkout has been answered 201, kills the server with SIGKILL `--kills` times, each after a random
   moment (`--between` seconds after it was ready), restarting it each time on the same data directory and port and
   waiting for `/ready`. The shoppers get no answer while it is down and carry on when it is back.
4. Lets the load run a few seconds against the last life, stops it, and waits (up to `--settle` seconds: a killed
   saga's claim and a killed request's idempotency lease each run out after a minute) until no saga is open.
5. Checks, through the admin API:
   - every order a client was answered 201 for exists, is confirmed (or beyond) at the total the client was told,
     and is paid: captured in full, or authorised while its capture is still under way;
   - no payment holds or took money for an order that does not exist, no order has money on two payments, none
     was charged more than its total, and every order that failed or was cancelled holds and keeps nothing;
   - stock is conserved per product: on hand = initial + the load's adjustments - shipped, and reserved = the
     units of the orders holding stock (confirmed, not shipped);
   - no saga is left open;
   - `emporium audit` exits 0.
   Prints the figures and exits 1 on any violation (the data directory and logs are then kept), 0 otherwise.
"""
import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
ADMIN_EMAIL = "admin@emporium.local"
ADMIN_PASSWORD = "crash drill password"


def log(text):
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


class DrillError(Exception):
    pass


def wait_for(description, timeout, condition, interval=0.2):
    """Calls `condition` until it returns something truthy, which is returned; DrillError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except Exception as error:  # a refused connection while the server starts, say
            last_error = error
        time.sleep(interval)
    raise DrillError(f"timed out after {timeout} s waiting until {description}" + (f" (last error: {last_error})" if last_error else ""))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Shop:
    """The served binary: started, killed, started again on one data directory and port."""

    def __init__(self, binary, data, port, log_path):
        self.binary = binary
        self.data = data
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self.process = None
        self.token = None

    def start(self):
        arguments = [
            self.binary, "serve", "--port", str(self.port), "--data", self.data, "--rate-limit", "0",
            "--admin-password", ADMIN_PASSWORD, "--log-level", "warning",
            "--set", "identity.password-cost=1", "--set", "inventory.seed=fixture",
        ]
        with open(self.log_path, "ab") as output:
            self.process = subprocess.Popen(arguments, stdout=output, stderr=output, cwd=ROOT)
        wait_for("the shop is ready", 180, self.ready)

    def ready(self):
        if self.process.poll() is not None:
            raise DrillError(f"emporium serve exited with status {self.process.returncode}; see {self.log_path}")
        try:
            with urllib.request.urlopen(self.base + "/ready", timeout=5) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill()

    def request(self, method, path, body=None, token=None):
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def admin(self, path):
        """GET as the administrator, logging in (again) when needed; the body of a 200."""
        for _ in range(2):
            if self.token is None:
                status, body = self.request("POST", "/api/v1/auth/login", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
                if status != 200:
                    raise DrillError(f"cannot log in as the administrator: HTTP {status} {body}")
                self.token = body["accessToken"]
            status, body = self.request("GET", path, token=self.token)
            if status == 401:
                self.token = None
                continue
            if status != 200:
                raise DrillError(f"GET {path} answered HTTP {status}: {body}")
            return body
        raise DrillError(f"GET {path} kept answering 401")

    def every(self, path, member, cursor="cursor", next_member="nextCursor"):
        """Every item of a paged admin listing."""
        items, after = [], None
        while True:
            separator = "&" if "?" in path else "?"
            page = self.admin(path + (f"{separator}{cursor}={urllib.request.quote(after, safe='')}" if after else ""))
            items += page[member]
            after = page.get(next_member)
            if not after:
                return items

    def stock(self):
        """Units per product, all warehouses together: (on hand, reserved)."""
        totals = {}
        for item in self.every("/api/v1/admin/inventory?limit=100", "items"):
            totals[item["productId"]] = (
                sum(level["onHand"] for level in item["warehouses"]),
                sum(level["reserved"] for level in item["warehouses"]),
            )
        return totals


def duration_range(text):
    low, _, high = text.partition("-")
    return float(low), float(high or low)


def read_journal(path):
    lines = []
    with open(path, encoding="utf-8") as journal:
        for line in journal:
            if line.endswith("\n"):  # a line cut short by a kill of the load is not whole
                lines.append(json.loads(line))
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=50, help="how many times the server is killed (default 50)")
    parser.add_argument("--users", type=int, default=16, help="virtual shoppers of emporium load (default 16)")
    parser.add_argument("--think", default="0ms-100ms", help="the shoppers' pause between steps (default 0ms-100ms)")
    parser.add_argument("--between", default="0.3-4", help="seconds from ready to kill, random in the range (default 0.3-4)")
    parser.add_argument("--settle", type=float, default=300, help="seconds to wait for every saga to finish (default 300)")
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "emporium"), help="the emporium binary")
    parser.add_argument("--keep", action="store_true", help="keep the data directory and logs even when the drill passes")
    options = parser.parse_args()
    if not os.access(options.binary, os.X_OK):
        sys.exit(f"crash-drill: no emporium binary at {options.binary}; build it with 'swift build -c release --product emporium'")

    started = time.monotonic()
    work = tempfile.mkdtemp(prefix="emporium-crash-drill-")
    data = os.path.join(work, "data")
    journal_path = os.path.join(work, "checkouts.jsonl")
    shop = Shop(options.binary, data, free_port(), os.path.join(work, "serve.log"))
    load = None
    violations = []
    figures = {}
    try:
        log(f"working in {work}; serving on port {shop.port}")
        shop.start()
        initial = shop.stock()
        log(f"ready; {len(initial)} products in stock")

        load_log = open(os.path.join(work, "load.log"), "wb")
        load = subprocess.Popen(
            [
                options.binary, "load", "--url", shop.base, "--users", str(options.users), "--duration", "60m", "--think", options.think,
                "--record", journal_path, "--password", ADMIN_PASSWORD,
            ],
            stdout=load_log, stderr=load_log, cwd=ROOT,
        )
        wait_for("a checkout is answered 201", 180, lambda: os.path.exists(journal_path) and any(
            line.get("status") == 201 for line in read_journal(journal_path)))

        low, high = duration_range(options.between)
        restarts = []
        for kill in range(1, options.kills + 1):
            time.sleep(random.uniform(low, high))  # the random moment: the shoppers are mid-flight at any point
            if load.poll() is not None:
                raise DrillError(f"emporium load stopped early (status {load.returncode}); see {work}/load.log")
            shop.kill()
            down = time.monotonic()
            shop.start()
            restarts.append(time.monotonic() - down)
            told = sum(1 for line in read_journal(journal_path) if line.get("status") == 201)
            log(f"kill {kill}/{options.kills}: back in {restarts[-1]:.1f} s; {told} checkouts answered 201 so far")

        # The last life serves a little while, so that checkouts after the last restart are answered too.
        told_before = sum(1 for line in read_journal(journal_path) if line.get("status") == 201)
        wait_for("a checkout is answered 201 after the last restart", 120, lambda: sum(
            1 for line in read_journal(journal_path) if line.get("status") == 201) > told_before)
        time.sleep(3)
        load.send_signal(signal.SIGTERM)
        load.wait(timeout=60)
        load_log.close()
        log("load stopped; waiting for every saga to finish")

        settle_started = time.monotonic()
        try:
            wait_for("no saga is open", options.settle, lambda: not shop.admin("/api/v1/admin/sagas")["sagas"], interval=2)
        except DrillError as error:
            open_sagas = shop.admin("/api/v1/admin/sagas")["sagas"]
            violations.append(f"{len(open_sagas)} sagas still open after {options.settle:.0f} s: {json.dumps(open_sagas[:5])}")
            log(str(error))
        figures["settle seconds"] = round(time.monotonic() - settle_started, 1)

        # What the clients were told.
        journal = read_journal(journal_path)
        checkouts = [line for line in journal if line["event"] == "checkout"]
        told = {line["orderId"]: line for line in checkouts if line.get("status") == 201}
        answers = Counter(" ".join(str(part) for part in (line.get("status", "no answer"), line.get("problem")) if part) for line in checkouts)
        stocked = defaultdict(int)
        for line in journal:
            if line["event"] == "stocked":
                stocked[line["productId"]] += line["delta"]

        # The books.
        orders = {order["id"]: order for order in shop.every("/api/v1/admin/orders?limit=100", "items")}
        payments = shop.every("/api/v1/admin/payments?limit=100", "items")
        final = shop.stock()
        by_status = Counter(order["status"] for order in orders.values())

        # 1. Every order told 201 exists, at the total told, confirmed and paid.
        def minor(money):
            return money["minorUnits"] if money else 0

        for order_id, line in sorted(told.items()):
            order = orders.get(order_id)
            if order is None:
                violations.append(f"order {order_id} was answered 201 at {line['at']} but does not exist")
                continue
            if order["status"] not in ("confirmed", "shipped", "delivered"):
                violations.append(f"order {order_id} was answered 201 but is {order['status']}: {order['timeline'][-3:]}")
            if line.get("total") and order["totals"]["total"] != line["total"]:
                violations.append(f"order {order_id} was answered 201 for {line['total']} but totals {order['totals']['total']}")
            payment = order.get("payment")
            total = minor(order["totals"]["total"])
            captured = minor(payment and payment.get("captured"))
            authorised = payment is not None and payment.get("status") in ("requires_capture", "succeeded")
            if captured != total and not authorised:
                violations.append(f"order {order_id} was answered 201 but is not paid: payment {payment}")
            elif captured != total:
                violations.append(f"order {order_id} was answered 201 and is authorised, but not captured after the sagas settled")

        # 2. Money: never without an order, never twice, never more than the total, kept only by orders that stand.
        intents_by_order = defaultdict(list)
        for intent in payments:
            if intent.get("orderId"):
                intents_by_order[intent["orderId"]].append(intent)
        for order_id, intents in intents_by_order.items():
            holding = [i for i in intents if minor(i["amountCaptured"]) + minor(i["amountCapturable"]) > 0]
            order = orders.get(order_id)
            if order is None:
                if holding:
                    violations.append(f"payment {holding[0]['id']} holds or took money for order {order_id}, which does not exist")
                continue
            if len(holding) > 1:
                violations.append(f"order {order_id} has money on {len(holding)} payments: {[i['id'] for i in holding]}")
            kept = sum(minor(i["amountCaptured"]) - minor(i["amountRefunded"]) for i in intents)
            held = sum(minor(i["amountCapturable"]) for i in intents)
            total = minor(order["totals"]["total"])
            if kept + held > total:
                violations.append(f"order {order_id} totals {total} but {kept} was kept and {held} is held")
            if order["status"] in ("rejected", "payment-failed", "cancelled") and (kept or held):
                violations.append(f"order {order_id} is {order['status']} but {kept} was kept and {held} is held")
            if order["status"] in ("confirmed", "shipped", "delivered") and kept != total:
                violations.append(f"order {order_id} is {order['status']} but {kept} of {total} was captured")

        # 3. Stock: on hand = initial + adjustments - shipped; reserved = what the standing orders hold.
        shipped, holding_units = defaultdict(int), defaultdict(int)
        for order in orders.values():
            for line in order["lines"]:
                if order["status"] in ("shipped", "delivered", "returned"):
                    shipped[line["productId"]] += line["quantity"]
                elif order["status"] == "confirmed":
                    holding_units[line["productId"]] += line["quantity"]
                elif order["status"] == "pending":
                    violations.append(f"order {order['id']} is still pending")
        if any(order["status"] in ("shipped", "delivered", "returned") for order in orders.values()):
            violations.append("orders shipped with a manual carrier; the stock check counts shipments as whole orders")
        for product in sorted(set(initial) | set(final)):
            on_hand, reserved = final.get(product, (0, 0))
            expected = initial.get(product, (0, 0))[0] + stocked[product] - shipped[product]
            if on_hand != expected:
                violations.append(f"{product}: {on_hand} on hand, expected {expected} (initial + adjustments - shipped)")
            if reserved != holding_units[product]:
                violations.append(f"{product}: {reserved} reserved, but the confirmed orders hold {holding_units[product]}")

        # 4. The audit, as an operator runs it.
        audit = subprocess.run(
            [options.binary, "audit", "--url", shop.base, "--password", ADMIN_PASSWORD], capture_output=True, text=True, timeout=300
        )
        if audit.returncode != 0:
            violations.append(f"emporium audit exited {audit.returncode}: {audit.stdout.strip()} {audit.stderr.strip()}")

        figures.update({
            "kills": options.kills,
            "checkouts sent": len(checkouts),
            "answers": dict(sorted(answers.items())),
            "orders told 201": len(told),
            "orders in the shop": len(orders),
            "orders by status": dict(sorted(by_status.items())),
            "orders checked": len(orders),
            "payments checked": len(payments),
            "products checked": len(set(initial) | set(final)),
            "restart seconds (median, max)": [round(sorted(restarts)[len(restarts) // 2], 1), round(max(restarts), 1)],
            "audit": audit.stdout.strip().splitlines()[-1] if audit.stdout.strip() else audit.stderr.strip(),
            "violations": len(violations),
            "seconds": round(time.monotonic() - started),
        })
    except DrillError as error:
        violations.append(str(error))
    finally:
        if load and load.poll() is None:
            load.kill()
        shop.stop()

    for violation in violations[:50]:
        print(f"VIOLATION: {violation}")
    if len(violations) > 50:
        print(f"... and {len(violations) - 50} more")
    print(json.dumps(figures, indent=2))
    if violations or options.keep:
        print(f"data directory and logs kept in {work}")
    else:
        subprocess.run(["rm", "-rf", work])
    print("FAILED" if violations else "passed")
    sys.exit(1 if violations else 0)


if __name__ == "__main__":
    main()
