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

What the drills share (the served binary, waits with deadlines, the journal and the check of the books) is in
`drill.py`, next to this file.
"""
import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from drill import (  # noqa: E402  (the shared part of the drills, next to this file)
    ADMIN_PASSWORD, ROOT, DrillError, Shop, add_common_arguments, check_books, duration_range, free_port, log, read_journal, report,
    parse_options, wait_for,
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=50, help="how many times the server is killed (default 50)")
    parser.add_argument("--users", type=int, default=16, help="virtual shoppers of emporium load (default 16)")
    parser.add_argument("--think", default="0ms-100ms", help="the shoppers' pause between steps (default 0ms-100ms)")
    parser.add_argument("--between", default="0.3-4", help="seconds from ready to kill, random in the range (default 0.3-4)")
    add_common_arguments(parser, serve_arguments=False)
    options = parse_options(parser, "crash-drill")

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

        books_violations, books = check_books(shop, options.binary, initial, read_journal(journal_path), options.settle)
        violations += books_violations
        figures.update({
            **books,
            "kills": options.kills,
            "restart seconds (median, max)": [round(sorted(restarts)[len(restarts) // 2], 1), round(max(restarts), 1)],
            "violations": len(violations),
            "seconds": round(time.monotonic() - started),
        })
    except DrillError as error:
        violations.append(str(error))
    finally:
        if load and load.poll() is None:
            load.kill()
        shop.stop()

    sys.exit(report(figures, violations, work, options.keep))


if __name__ == "__main__":
    main()
