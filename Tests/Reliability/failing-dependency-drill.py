#!/usr/bin/env python3
"""The failing-dependency drill: during load, payments fail half their calls and answer in 2 s. The breaker must
open, checkouts must fail fast with a clear 503 and end in a named state, the system must recover within 30 s once
the fault is cleared, and the audit must be clean.

Usage, from anywhere (the release binary must be built: `swift build -c release --product emporium`):

    Tests/Reliability/failing-dependency-drill.py [--users 16] [--think 0ms-100ms] [--baseline 10] [--fault-seconds 30]
                                                  [--latency-ms 2000] [--error-rate 0.5] [--after-recovery 15]
                                                  [--serve-arg=ARG ...] [--settle 300] [--binary PATH] [--keep]

1. Starts `emporium serve` on a fresh data directory and a free port (`--rate-limit 0`, `identity.password-cost=1`,
   `inventory.seed=fixture`, a known administrator password, and every `--serve-arg`), waits for `/ready` and reads
   every product's stock.
2. Starts `emporium load --users 16 --think 0ms-100ms --allow-shed --record FILE --duration 60m`, waits for a
   checkout answered 201, then lets it run a 10 s baseline.
3. Puts the fault (`PUT /admin/faults/payments {"latencyMs": 2000, "errorRate": 0.5}`) for 30 s, then clears it
   (`DELETE /admin/faults/payments`). From before the fault to the end, `GET /admin/services` is read every 0.5 s
   and the payments breaker's states are kept with their times.
4. Recovery is the time from the clearing to the answer of the first checkout sent after it (the journal's `at`
   less its `ms`) that was answered 201; the drill also notes when the breaker was next seen closed. The load runs
   15 s more, then stops (SIGTERM), and the drill waits (up to `--settle` seconds) until no saga is open.

Violations:
- the breaker never opened;
- checkouts did not fail fast while the breaker was open: of the checkouts sent between two readings that both
  saw it open (so it was open when the checkout asked Payments, a few milliseconds after it was sent), those
  answered `503 payments-unavailable` have a p99 above 1000 ms. Checkouts answered `payments-unavailable` outside
  those stretches are reported but not judged: one whose authorisation was already waiting on the slow service when
  the breaker opened gets that answer after its 2 s calls, which is the fault and not the breaker;
- a checkout answer other than 201, 202 (still deciding), 402 (declined), 409 (short stock, empty cart) or a 503
  with a problem type: a 500, a 502, a 503 without a problem; or a checkout without an answer;
- recovery took more than 30 s (or no checkout sent after the clearing was answered 201 within 120 s);
- an order not in a named final state (confirmed, payment-failed, rejected, cancelled) after the settle wait;
- any violation of the books (`drill.check_books`: every order told 201 confirmed and paid at its total, money
  never without an order or twice, failed orders holding nothing, stock conserved, no saga open, `emporium audit`
  exits 0).

Prints the checkouts' answers per phase (before, during the fault, after the clearing; by the time each was sent)
with their latencies, the breaker's timeline, the recovery and the orders by status as JSON, then `passed`, or the
violations and `FAILED` with exit status 1 (the data directory and logs are then kept: `serve.log`, `load.log`, the
load's journal `checkouts.jsonl`, and every reading of the breaker in `breaker.jsonl`).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from drill import (  # noqa: E402  (the shared part of the drills, next to this file)
    ADMIN_PASSWORD, ROOT, DrillError, Shop, add_common_arguments, parse_options, answer_name, check_books, free_port, log, parse_time, percentile,
    read_journal, report, stop_process, wait_for,
)

NAMED_FINAL_STATES = ("confirmed", "payment-failed", "rejected", "cancelled")
# Answers a checkout may get while a dependency fails; a 503 also needs a problem type that says what failed.
ALLOWED_STATUSES = (201, 202, 402, 409)


class BreakerWatch(threading.Thread):
    """Reads `GET /admin/services` every `interval` seconds: the payments breaker's state, with the time it was read."""

    def __init__(self, shop, service, interval=0.5):
        super().__init__(daemon=True)
        # A client of its own, so that its token does not race the drill's.
        self.shop = Shop(shop.binary, shop.data, shop.port, shop.log_path)
        self.service = service
        self.interval = interval
        self.readings = []  # (time.time(), state): closed, open, half-open, none (no call yet), unreadable
        self.halt = threading.Event()

    def run(self):
        while not self.halt.is_set():
            self.readings.append((time.time(), self.read()))
            self.halt.wait(self.interval)

    def read(self):
        try:
            services = self.shop.admin("/admin/services", timeout=5)["services"]
            breaker = next((s.get("breaker") for s in services if s["name"] == self.service), None)
            return breaker["state"] if breaker else "none"
        except Exception:  # a timeout under load, say: not a state
            return "unreadable"

    def stop(self):
        self.halt.set()
        self.join(timeout=10)

    def save(self, path):
        """The readings, one JSON line each ({"at": seconds since the epoch, "state": ...}), for a look afterwards."""
        with open(path, "w") as output:
            for at, state in self.readings:
                output.write(json.dumps({"at": round(at, 3), "state": state}) + "\n")

    def transitions(self, origin):
        """[seconds from `origin`, state] each time the state read changed (unreadable readings skipped)."""
        changes, last = [], None
        for at, state in self.readings:
            if state != "unreadable" and state != last:
                changes.append([round(at - origin, 1), state])
                last = state
        return changes

    def open_stretches(self):
        """(from, to) between consecutive readable readings that both saw the breaker open."""
        readable = [(at, state) for at, state in self.readings if state != "unreadable"]
        return [(a, b) for (a, state_a), (b, state_b) in zip(readable, readable[1:]) if state_a == state_b == "open"]

    def first(self, state, after):
        return next((at for at, seen in self.readings if at >= after and seen == state), None)


def sent_at(line):
    return parse_time(line["at"]) - line.get("ms", 0) / 1000


def latency_figures(lines):
    values = [line["ms"] for line in lines if "status" in line and "ms" in line]
    return {"count": len(values), "p50 ms": percentile(values, 0.50), "p99 ms": percentile(values, 0.99), "max ms": max(values) if values else None}


def phase_figures(lines):
    return {
        "sent": len(lines),
        "answers": dict(sorted(Counter(answer_name(line) for line in lines).items())),
        "latency": latency_figures(lines),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=16, help="virtual shoppers of emporium load (default 16)")
    parser.add_argument("--think", default="0ms-100ms", help="the shoppers' pause between steps (default 0ms-100ms)")
    parser.add_argument("--duration", default="60m", help="emporium load --duration, a bound: the drill stops it (default 60m)")
    parser.add_argument("--baseline", type=float, default=10, help="seconds of load before the fault (default 10)")
    parser.add_argument("--fault-seconds", type=float, default=30, help="how long payments fail (default 30)")
    parser.add_argument("--latency-ms", type=int, default=2000, help="the fault's latency per payments call (default 2000)")
    parser.add_argument("--error-rate", type=float, default=0.5, help="the fault's share of failed payments calls (default 0.5)")
    parser.add_argument("--after-recovery", type=float, default=15, help="seconds of load after the recovery (default 15)")
    parser.add_argument("--recovery-limit", type=float, default=30, help="seconds the recovery may take (default 30)")
    parser.add_argument("--fast-ms", type=float, default=1000, help="p99 a refused checkout may take while the breaker is open (default 1000)")
    add_common_arguments(parser)
    options = parse_options(parser, "failing-dependency-drill")

    started = time.monotonic()
    work = tempfile.mkdtemp(prefix="emporium-failing-dependency-drill-")
    journal_path = os.path.join(work, "checkouts.jsonl")
    shop = Shop(options.binary, os.path.join(work, "data"), free_port(), os.path.join(work, "serve.log"), options.serve_arg)
    load = None
    load_log = None
    watch = None
    fault_set = False
    violations = []
    figures = {}

    def journal():
        return read_journal(journal_path) if os.path.exists(journal_path) else []

    def load_runs():
        if load.poll() is not None:
            raise DrillError(f"emporium load stopped early (status {load.returncode}); see {work}/load.log")

    def pause(seconds):
        """Sleeps, checking every second that the load still runs."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            load_runs()
            time.sleep(min(1, max(deadline - time.monotonic(), 0)))

    try:
        log(f"working in {work}; serving on port {shop.port}")
        shop.start()
        initial = shop.stock()
        log(f"ready; {len(initial)} products in stock")

        load_log = open(os.path.join(work, "load.log"), "wb")
        load = subprocess.Popen(
            [
                options.binary, "load", "--url", shop.base, "--users", str(options.users), "--duration", options.duration,
                "--think", options.think, "--allow-shed", "--record", journal_path, "--password", ADMIN_PASSWORD,
            ],
            stdout=load_log, stderr=load_log, cwd=ROOT,
        )

        def answered_201():
            load_runs()
            return any(line.get("status") == 201 for line in journal())

        wait_for("a checkout is answered 201", 180, answered_201)
        watch = BreakerWatch(shop, "payments")
        watch.start()
        log(f"a checkout was answered 201; {options.baseline:.0f} s of baseline")
        pause(options.baseline)

        # The fault.
        fault = {"latencyMs": options.latency_ms, "errorRate": options.error_rate}
        fault_at = time.time()
        shop.admin_put("/admin/faults/payments", fault)
        fault_set = True
        log(f"payments fault set: {fault}; for {options.fault_seconds:.0f} s")
        pause(options.fault_seconds)
        shop.admin_delete("/admin/faults/payments")
        fault_set = False
        cleared_at = time.time()
        left = [f for f in shop.admin("/admin/faults")["faults"] if f["target"] == "payments"]
        if left:
            violations.append(f"the payments fault is still listed after DELETE: {left}")
        log("payments fault cleared; waiting for a checkout sent after the clearing to be answered 201")

        # Recovery: the first checkout sent after the clearing that was answered 201.
        def recovered():
            load_runs()
            answers = [parse_time(line["at"]) for line in journal() if line.get("status") == 201 and sent_at(line) >= cleared_at]
            return min(answers) if answers else None

        recovery = None
        recovery_timeout = max(options.recovery_limit * 4, 120)
        try:
            recovery = wait_for("a checkout sent after the clearing is answered 201", recovery_timeout, recovered, interval=0.5) - cleared_at
            log(f"recovered {recovery:.1f} s after the clearing; {options.after_recovery:.0f} s more of load")
        except DrillError as error:
            load_runs()
            violations.append(f"no checkout sent after the fault was cleared was answered 201 within {recovery_timeout:.0f} s ({error})")
        pause(options.after_recovery)
        stop_process(load)
        load_log.close()
        watch.stop()
        log("load stopped; waiting for every saga to finish, then checking the books")

        books_violations, books = check_books(shop, options.binary, initial, journal(), options.settle)
        violations += books_violations

        # The breaker.
        transitions = watch.transitions(fault_at)
        opened = watch.first("open", fault_at)
        closed = watch.first("closed", cleared_at)
        if opened is None:
            violations.append("the payments breaker was never seen open")
        if recovery is not None and recovery > options.recovery_limit:
            violations.append(f"recovery took {recovery:.1f} s after the fault was cleared (limit {options.recovery_limit:.0f} s)")

        # The checkouts, by when they were sent.
        checkouts = [line for line in journal() if line["event"] == "checkout"]
        phases = {"before": [], "during the fault": [], "after the clearing": []}
        for line in checkouts:
            sent = sent_at(line)
            phases["before" if sent < fault_at else "during the fault" if sent < cleared_at else "after the clearing"].append(line)
        for line in checkouts:
            status = line.get("status")
            if status is None:
                violations.append(f"checkout {line['key']} (shopper {line['shopper']}) got no answer, after {line.get('ms')} ms, at {line['at']}")
            elif status not in ALLOWED_STATUSES and not (status == 503 and line.get("problem")):
                violations.append(f"checkout {line['key']} was answered {answer_name(line)} at {line['at']} after {line.get('ms')} ms")

        # Failing fast: the checkouts sent while the breaker was open.
        stretches = watch.open_stretches()
        unavailable = [line for line in checkouts if line.get("problem") == "payments-unavailable"]
        while_open = [line for line in checkouts if any(a <= sent_at(line) < b for a, b in stretches)]
        unavailable_while_open = [line for line in while_open if line.get("problem") == "payments-unavailable"]
        fast = latency_figures(unavailable_while_open)
        if opened is not None and not unavailable_while_open:
            violations.append(
                f"no checkout sent while the breaker was open was answered 503 payments-unavailable: "
                f"{dict(Counter(answer_name(line) for line in while_open))}"
            )
        if fast["p99 ms"] is not None and fast["p99 ms"] > options.fast_ms:
            violations.append(
                f"checkouts sent while the breaker was open were not refused fast: payments-unavailable p99 {fast['p99 ms']} ms "
                f"(limit {options.fast_ms:.0f} ms)"
            )

        # Orders: each in a named final state.
        for status, count in books["orders by status"].items():
            if status not in NAMED_FINAL_STATES:
                violations.append(f"{count} orders are {status}, not in a named final state ({', '.join(NAMED_FINAL_STATES)})")

        figures = {
            "fault": dict(fault, target="payments", seconds=round(cleared_at - fault_at, 1)),
            "checkouts by phase": {name: phase_figures(lines) for name, lines in phases.items()},
            "payments-unavailable answers": latency_figures(unavailable),
            "payments-unavailable while the breaker was open": fast,
            "checkouts sent while the breaker was open": phase_figures(while_open),
            "breaker timeline (seconds from the fault, state)": transitions,
            "breaker readings": len(watch.readings),
            "breaker unreadable": sum(1 for _, state in watch.readings if state == "unreadable"),
            "breaker first seen open after the fault, s": None if opened is None else round(opened - fault_at, 1),
            "breaker seen closed after the clearing, s": None if closed is None else round(closed - cleared_at, 1),
            "recovery seconds (first 201 sent after the clearing)": None if recovery is None else round(recovery, 1),
            **books,
            "violations": len(violations),
            "seconds": round(time.monotonic() - started),
        }
    except DrillError as error:
        violations.append(str(error))
    finally:
        if watch:
            watch.stop()
            watch.save(os.path.join(work, "breaker.jsonl"))
        if fault_set and shop.alive():
            try:
                shop.admin_delete("/admin/faults/payments")
            except Exception as error:
                log(f"could not clear the payments fault: {error}")
        stop_process(load, timeout=10)
        if load_log:
            load_log.close()
        shop.stop()

    sys.exit(report(figures, violations, work, options.keep))


if __name__ == "__main__":
    main()
