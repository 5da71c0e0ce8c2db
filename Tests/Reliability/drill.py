"""What the reliability drills share (Python's standard library only): the served binary (`Shop`), waits with
deadlines, the journal `emporium load --record` writes, and the check of the books against what the clients were
told (`check_books`).

The drills import it from their own directory:

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from drill import ...
"""
import datetime
import json
import os
import sys
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEFAULT_BINARY = os.path.join(ROOT, ".build", "release", "emporium")
ADMIN_EMAIL = "admin@emporium.local"
ADMIN_PASSWORD = "crash drill password"
# Statuses of an order that took no money and holds no stock, and of one that stands.
FAILED_STATUSES = ("rejected", "payment-failed", "cancelled")
STANDING_STATUSES = ("confirmed", "shipped", "delivered")


def add_common_arguments(parser, serve_arguments=True):
    """The options every drill takes: `--serve-arg` (when the drill passes flags on), `--settle`, `--binary`, `--keep`."""
    if serve_arguments:
        parser.add_argument("--serve-arg", action="append", default=[], metavar="ARG",
                            help="one more argument for emporium serve, repeatable; write --serve-arg=--max-in-flight=64")
    parser.add_argument("--settle", type=float, default=300, help="seconds to wait for every saga to finish (default 300)")
    parser.add_argument("--binary", default=DEFAULT_BINARY, help="the emporium binary")
    parser.add_argument("--keep", action="store_true", help="keep the data directory and logs even when the drill passes")


def parse_options(parser, name):
    """The parsed options, after checking that the binary is there."""
    options = parser.parse_args()
    if not os.access(options.binary, os.X_OK):
        sys.exit(f"{name}: no emporium binary at {options.binary}; build it with 'swift build -c release --product emporium'")
    return options


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


def duration_range(text):
    """`0.3-4` → (0.3, 4.0); `2` → (2.0, 2.0)."""
    low, _, high = text.partition("-")
    return float(low), float(high or low)


def think_seconds(text):
    """`emporium load --think` (`0ms-100ms`, `500ms-1s`, `0ms`) → (low, high) in seconds."""
    def seconds(part):
        part = part.strip()
        for unit, scale in (("ms", 0.001), ("us", 0.000001), ("s", 1.0), ("m", 60.0)):
            if part.endswith(unit):
                return float(part[: -len(unit)]) * scale
        return float(part)

    low, _, high = text.partition("-")
    return seconds(low), seconds(high or low)


def percentile(values, share):
    """The nearest-rank percentile (`share` 0.5, 0.99) of `values`; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-int(share * 1000) * len(ordered) // 1000))  # ceil(share × n), in integers
    return ordered[min(rank, len(ordered)) - 1]


def stop_process(process, timeout=60):
    """SIGTERM, up to `timeout` seconds for the process to end, then SIGKILL. Nothing when it has ended."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def parse_time(text):
    """A journal's `at` (ISO 8601, UTC) → seconds since the epoch, comparable with `time.time()`."""
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class Shop:
    """The served binary: started, killed, started again on one data directory and port."""

    def __init__(self, binary, data, port, log_path, serve_arguments=()):
        self.binary = binary
        self.data = data
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self.serve_arguments = list(serve_arguments)
        self.process = None
        self.token = None

    @property
    def pid(self):
        return self.process.pid if self.process else None

    def start(self):
        arguments = [
            self.binary, "serve", "--port", str(self.port), "--data", self.data, "--rate-limit", "0",
            "--admin-password", ADMIN_PASSWORD, "--log-level", "warning",
            "--set", "identity.password-cost=1", "--set", "inventory.seed=fixture",
        ] + self.serve_arguments
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

    def alive(self):
        return self.process is not None and self.process.poll() is None

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

    def exchange(self, method, path, body=None, token=None, timeout=120):
        """(status, headers, body as JSON, or as text when it is not JSON, or None when empty)."""
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.headers, _decoded(response.read())
        except urllib.error.HTTPError as error:
            return error.code, error.headers, _decoded(error.read())

    def request(self, method, path, body=None, token=None):
        status, _, answer = self.exchange(method, path, body, token)
        return status, answer

    def admin_call(self, method, path, body=None, timeout=120):
        """A request as the administrator, logging in (again) when needed, and sent again (for up to a minute) while
        the shop refuses it for now (429, or 503 with Retry-After); the body of a 200."""
        deadline = time.monotonic() + 60
        unauthorised = 0
        while True:
            if self.token is None:
                status, headers, answer = self.exchange("POST", "/api/v1/auth/login", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
                if _refusal(status, headers) and time.monotonic() < deadline:
                    time.sleep(_retry_after(headers))
                    continue
                if status != 200:
                    raise DrillError(f"cannot log in as the administrator: HTTP {status} {answer}")
                self.token = answer["accessToken"]
            status, headers, answer = self.exchange(method, path, body, token=self.token, timeout=timeout)
            if status == 401 and unauthorised < 1:
                unauthorised += 1
                self.token = None
                continue
            if status == 401:
                raise DrillError(f"{method} {path} kept answering 401")
            if _refusal(status, headers) and time.monotonic() < deadline:
                time.sleep(_retry_after(headers))
                continue
            if status != 200:
                raise DrillError(f"{method} {path} answered HTTP {status}: {answer}")
            return answer

    def admin(self, path, timeout=120):
        """GET as the administrator, logging in (again) when needed; the body of a 200."""
        return self.admin_call("GET", path, timeout=timeout)

    def admin_put(self, path, body):
        return self.admin_call("PUT", path, body)

    def admin_delete(self, path):
        return self.admin_call("DELETE", path)

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

    def open_sagas(self):
        return self.admin("/api/v1/admin/sagas")["sagas"]


def _decoded(raw):
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


def _refusal(status, headers):
    return status == 429 or (status == 503 and headers.get("Retry-After") is not None)


def _retry_after(headers):
    try:
        return min(max(float(headers.get("Retry-After", "1")), 0.1), 5)
    except ValueError:
        return 1


def read_journal(path):
    lines = []
    with open(path, encoding="utf-8") as journal:
        for line in journal:
            if line.endswith("\n"):  # a line cut short by a kill of the load is not whole
                lines.append(json.loads(line))
    return lines


def answer_name(line):
    """A checkout line's answer: `201`, `503 payments-unavailable`, `no answer`."""
    return " ".join(str(part) for part in (line.get("status", "no answer"), line.get("problem")) if part)


def minor(money):
    return money["minorUnits"] if money else 0


def run_audit(binary, shop):
    """`emporium audit` as an operator runs it: (violation or None, its last line)."""
    try:
        audit = subprocess.run(
            [binary, "audit", "--url", shop.base, "--password", ADMIN_PASSWORD], capture_output=True, text=True, timeout=300, cwd=ROOT
        )
    except subprocess.TimeoutExpired:
        return "emporium audit did not finish within 300 s", "timed out"
    line = audit.stdout.strip().splitlines()[-1] if audit.stdout.strip() else audit.stderr.strip()
    if audit.returncode != 0:
        return f"emporium audit exited {audit.returncode}: {audit.stdout.strip()} {audit.stderr.strip()}", line
    return None, line


def settle_sagas(shop, settle):
    """Waits up to `settle` seconds until no saga is open: (violation or None, seconds waited)."""
    started = time.monotonic()
    violation = None
    try:
        wait_for("no saga is open", settle, lambda: not shop.open_sagas(), interval=2)
    except DrillError as error:
        open_sagas = shop.open_sagas()
        violation = f"{len(open_sagas)} sagas still open after {settle:.0f} s: {json.dumps(open_sagas[:5])}"
        log(str(error))
    return violation, round(time.monotonic() - started, 1)


def check_books(shop, binary, initial, journal, settle):
    """The books against what the clients were told, once the load has stopped: waits (up to `settle` seconds) until
    no saga is open, then checks through the admin API

    - every order a client was answered 201 for exists, at the total it was told, confirmed (or beyond) and paid:
      captured in full, or authorised while its capture is still under way;
    - no payment holds or took money for an order that does not exist, no order has money on two payments, none was
      charged more than its total, every failed or cancelled order holds and keeps nothing, and every confirmed one
      kept its total;
    - no order is still pending;
    - stock is conserved per product: on hand = initial + the load's adjustments (`stocked` lines) - shipped, and
      reserved = the units of the confirmed orders;
    - `emporium audit` exits 0.

    `initial` is `shop.stock()` before the load, `journal` the lines of every `emporium load --record` file of the
    drill. Returns (violations, figures)."""
    violations = []
    figures = {}
    violation, figures["settle seconds"] = settle_sagas(shop, settle)
    if violation:
        violations.append(violation)

    # What the clients were told.
    checkouts = [line for line in journal if line["event"] == "checkout"]
    told = {line["orderId"]: line for line in checkouts if line.get("status") == 201}
    answers = Counter(answer_name(line) for line in checkouts)
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
    for order_id, line in sorted(told.items()):
        order = orders.get(order_id)
        if order is None:
            violations.append(f"order {order_id} was answered 201 at {line['at']} but does not exist")
            continue
        if order["status"] not in STANDING_STATUSES:
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
        if order["status"] in FAILED_STATUSES and (kept or held):
            violations.append(f"order {order_id} is {order['status']} but {kept} was kept and {held} is held")
        if order["status"] in STANDING_STATUSES and kept != total:
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
    violation, audit_line = run_audit(binary, shop)
    if violation:
        violations.append(violation)

    figures.update({
        "checkouts sent": len(checkouts),
        "answers": dict(sorted(answers.items())),
        "orders told 201": len(told),
        "orders in the shop": len(orders),
        "orders by status": dict(sorted(by_status.items())),
        "payments checked": len(payments),
        "products checked": len(set(initial) | set(final)),
        "audit": audit_line,
    })
    return violations, figures


def report(figures, violations, work, keep):
    """Prints the violations (the first 50), the figures as JSON, where the files are (removing them when the drill
    passed and `keep` is false), and `passed` or `FAILED`; the exit status."""
    for violation in violations[:50]:
        print(f"VIOLATION: {violation}")
    if len(violations) > 50:
        print(f"... and {len(violations) - 50} more")
    print(json.dumps(figures, indent=2))
    if violations or keep:
        print(f"data directory and logs kept in {work}")
    else:
        subprocess.run(["rm", "-rf", work])
    print("FAILED" if violations else "passed")
    return 1 if violations else 0
