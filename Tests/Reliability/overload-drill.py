#!/usr/bin/env python3
"""The overload drill: `emporium load` at four times what the machine sustains. The server must shed with 429 or 503
and Retry-After, the requests it admits must keep p99 < 100 ms, its resident memory must stay flat, and when the load
stops no saga may be left unfinished and the audit must be clean.

Usage, from anywhere (the release binary must be built: `swift build -c release --product emporium`):

    Tests/Reliability/overload-drill.py [--factor 4] [--think 0ms-100ms] [--duration 60] [--max-users 2000]
                                        [--calibration-users 32] [--calibration-seconds 20] [--sizing-seconds 10]
                                        [--serve-arg=--max-in-flight=64 ...] [--settle 300] [--binary PATH] [--keep]

1. Starts `emporium serve` on a fresh data directory and a free port (`--rate-limit 0`, so that what sheds is the
   gateway's admission and not the per-client limiter, as all the load comes from one address;
   `identity.password-cost=1`, `inventory.seed=fixture`, a known administrator password, and every `--serve-arg`),
   waits for `/ready` and reads every product's stock.
2. Calibrates against that server started with `--queue-target 0` as well, so that it sheds nothing it can serve:
   `emporium load --users 32 --think 0ms --duration 20s --allow-shed --json`. What the machine sustains is the rate
   of that run's admitted requests (requests per second less refusals per second). Then it stops the server and
   starts it again on the same data directory with the flags under test (the defaults, and every `--serve-arg`).
3. Overloads: `emporium load --think 0ms-100ms --duration 60s --allow-shed --json --record FILE` with enough users
   to offer `factor` × sustained, at most `--max-users`. The load is closed (a shopper waits for each answer before
   its think time), so a shopper offers less than one request per mean think time: a first run of `--sizing-seconds`
   (10) with ceil(factor × sustained × mean think time) users measures what one offers under the overload, and the
   overload gets factor × sustained ÷ that. What it really offers is measured, all requests per second, refusals
   included, and reported against the factor.
4. Samples the server's resident memory (`VmRSS` of `/proc/<pid>/status`) every second through the calibration, the
   overload and 10 s after it.
5. Once the load has stopped, waits (up to `--settle` seconds) until no saga is open and checks the books as the
   crash drill does (`drill.check_books`: every order told 201 confirmed and paid at its total, money never without
   an order or twice, stock conserved, no order pending, `emporium audit` exits 0).

Violations: the overload run's admitted p99 (`latencyMs.p99` of `emporium load --json`: every answer but the
refusals) is 100 ms or more; nothing was refused (the server did not shed); any unexpected answer (a 5xx that is
not a refusal, an unexpected 4xx, or no answer); the load's own problems (`passed` false: orders it was told of
missing or still pending, its audit's violations; that its audit could not run is only a note, as the drill runs
`emporium audit` itself); a saga still open after the settle wait or any violation of the books; and
memory that did not stay flat: the largest sample of the overload's second half above 1.15 × the largest of its
first half + 16 MiB (the first 10 s of the overload are left out as warm-up: caches, connection buffers and pools
fill there). Prints the figures as JSON and `passed`, or the violations and `FAILED` with exit status 1 (the data
directory and logs are then kept).
"""
import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from drill import (  # noqa: E402  (the shared part of the drills, next to this file)
    ADMIN_PASSWORD, ROOT, DrillError, Shop, add_common_arguments, parse_options, check_books, free_port, log, read_journal, report, stop_process,
    think_seconds,
)

P99_LIMIT_MS = 100
# Memory is flat when the second half's peak is at most this share of the first half's, plus this many bytes.
RSS_GROWTH = 1.15
RSS_SLACK = 16 * 1024 * 1024
MIB = 1024 * 1024


class Sampler(threading.Thread):
    """Every second: the server's resident memory and CPU time, with the phase of the drill it was taken in."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.phase = "ready"
        self.samples = []  # (monotonic seconds, phase, RSS bytes, CPU seconds)
        self.halt = threading.Event()
        self.ticks = os.sysconf("SC_CLK_TCK")

    def run(self):
        while not self.halt.is_set():
            sample = self.take()
            if sample:
                self.samples.append(sample)
            self.halt.wait(1)

    def take(self):
        try:
            with open(f"/proc/{self.pid}/status") as status:
                rss = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS:"))
            with open(f"/proc/{self.pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            cpu = (int(fields[11]) + int(fields[12])) / self.ticks  # utime, stime
            return (time.monotonic(), self.phase, rss, cpu)
        except (OSError, StopIteration, IndexError, ValueError):
            return None  # the process is gone

    def stop(self):
        self.halt.set()
        self.join(timeout=5)

    def between(self, start, end):
        return [s for s in self.samples if start <= s[0] <= end]


def run_load(binary, shop, arguments, work, name, timeout):
    """Runs `emporium load --json` to its end: (its report, seconds of CPU it used, monotonic start, end)."""
    output_path = os.path.join(work, f"{name}.json")
    with open(output_path, "wb") as output, open(os.path.join(work, f"{name}.log"), "wb") as errors:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        load = subprocess.Popen(
            [binary, "load", "--url", shop.base, "--password", ADMIN_PASSWORD, "--allow-shed", "--json"] + arguments,
            stdout=output, stderr=errors, cwd=ROOT,
        )
        try:
            status = load.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            stop_process(load, timeout=10)
            raise DrillError(f"emporium load ({name}) did not finish within {timeout:.0f} s; see {work}/{name}.log")
        finally:
            stop_process(load, timeout=10)
        ended = time.monotonic()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        with open(output_path) as output:
            figures = json.load(output)
    except ValueError:
        raise DrillError(f"emporium load ({name}) exited {status} without a JSON report; see {work}/{name}.log")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return figures, cpu, started, ended


def admitted_rate(figures):
    return (figures["requests"] - figures["refused"]) / max(figures["seconds"], 0.001)


def load_problems(figures, notes):
    """The load's own problems that count. That its audit could not run is a note instead: the drill runs `emporium
    audit` itself afterwards. (`emporium load` asks for its audit on the administrator's connection it opened before
    the run, which the server closes after 60 s idle, so a run of a minute or more cannot reach it: a fault of the
    load generator, not of the shop.)"""
    counted = []
    for problem in figures["problems"]:
        if problem.startswith("The audit could not run"):
            notes.append(f"emporium load: {problem} (not counted: the drill runs emporium audit itself)")
        else:
            counted.append(problem)
    return counted


def mib(value):
    return None if value is None else round(value / MIB, 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factor", type=float, default=4, help="the load offered, as a multiple of what the calibration sustained (default 4)")
    parser.add_argument("--think", default="0ms-100ms", help="the overload's think time, emporium load --think (default 0ms-100ms)")
    parser.add_argument("--duration", type=float, default=60, help="seconds of overload (default 60)")
    parser.add_argument("--max-users", type=int, default=2000, help="at most this many shoppers in the overload (default 2000)")
    parser.add_argument("--calibration-users", type=int, default=32, help="shoppers of the calibration, without think time (default 32)")
    parser.add_argument("--calibration-seconds", type=float, default=20, help="seconds of calibration (default 20)")
    parser.add_argument("--sizing-seconds", type=float, default=10,
                        help="seconds of a first overload that measures what one shopper offers, to size the real one (default 10; 0: size by think time)")
    parser.add_argument("--warm-up", type=float, default=10, help="seconds at the overload's start left out of the memory check (default 10)")
    parser.add_argument("--after", type=float, default=10, help="seconds memory is sampled after the overload (default 10)")
    add_common_arguments(parser)
    options = parse_options(parser, "overload-drill")
    think_low, think_high = think_seconds(options.think)
    mean_think = (think_low + think_high) / 2
    if mean_think <= 0:
        sys.exit("overload-drill: --think must have a mean above zero (the users are computed from it)")

    started = time.monotonic()
    work = tempfile.mkdtemp(prefix="emporium-overload-drill-")
    # The calibration measures what the machine serves when nothing is shed (--queue-target 0); the overload then
    # runs against the server as it is started with the flags under test, on the same data directory.
    shop = Shop(options.binary, os.path.join(work, "data"), free_port(), os.path.join(work, "serve.log"), ["--queue-target", "0"] + options.serve_arg)
    calibration_journal = os.path.join(work, "calibration.jsonl")
    sizing_journal = os.path.join(work, "sizing.jsonl")
    overload_journal = os.path.join(work, "overload.jsonl")
    sampler = None
    violations = []
    figures = {}
    try:
        log(f"working in {work}; serving on port {shop.port}" + (f" with {' '.join(options.serve_arg)}" if options.serve_arg else ""))
        shop.start()
        initial = shop.stock()
        log(f"ready; {len(initial)} products in stock")
        sampler = Sampler(shop.pid)
        sampler.start()

        # 1. Calibration: what the machine sustains, shoppers without think time.
        sampler.phase = "calibration"
        seconds = options.calibration_seconds
        log(f"calibrating: {options.calibration_users} users, no think time, {seconds:.0f} s")
        calibration, calibration_cpu, calibration_start, calibration_end = run_load(
            options.binary, shop,
            ["--users", str(options.calibration_users), "--think", "0ms", "--duration", f"{seconds:g}s", "--record", calibration_journal],
            work, "calibration", seconds + 240,
        )
        calibration_sample = sampler.take()
        sustained = admitted_rate(calibration)
        log(f"calibration: {calibration['requestsPerSecond']:.0f} requests/s, {sustained:.0f} admitted/s, "
            f"admitted p99 {calibration['latencyMs']['p99']} ms, {calibration['refused']} refused")
        if sustained <= 0:
            raise DrillError(f"the calibration admitted nothing; see {work}/calibration.log")
        notes = []
        problems = load_problems(calibration, notes)
        if problems:
            violations.append(f"the calibration's load failed: {' '.join(problems)} {calibration['unexpectedSamples'][:3]}")

        # 2. Overload, against the server with the flags under test.
        shop.stop()
        shop.serve_arguments = list(options.serve_arg)
        shop.start()
        sampler.pid = shop.pid
        wanted = math.ceil(options.factor * sustained * mean_think)
        users = min(wanted, options.max_users)
        sizing = None
        if options.sizing_seconds > 0:
            # A shopper offers less than one request per think time: it waits for each answer too. A short run at
            # the first guess says how much one offers under the overload, and the overload gets as many as the factor
            # needs.
            sampler.phase = "sizing"
            log(f"sizing: {users} users for {options.sizing_seconds:g} s, to learn what one offers under the overload")
            sizing, _, _, _ = run_load(
                options.binary, shop,
                ["--users", str(users), "--think", options.think, "--duration", f"{options.sizing_seconds:g}s", "--record", sizing_journal],
                work, "sizing", options.sizing_seconds + 300,
            )
            per_user = sizing["requestsPerSecond"] / users
            if per_user > 0:
                wanted = math.ceil(options.factor * sustained / per_user)
                users = min(wanted, options.max_users)
            log(f"sizing: {per_user:.1f} requests/s a shopper; {users} shoppers offer {options.factor:g} × {sustained:.0f}/s")
        sampler.phase = "overload"
        log(f"overloading: {users} users (factor {options.factor:g} × {sustained:.0f}/s"
            + (f", capped from {wanted}" if users < wanted else "") + f"), think {options.think}, {options.duration:.0f} s")
        overload, load_cpu, overload_start, overload_end = run_load(
            options.binary, shop,
            ["--users", str(users), "--think", options.think, "--duration", f"{options.duration:g}s", "--record", overload_journal],
            work, "overload", options.duration + 300,
        )
        sampler.phase = "after"
        offered = overload["requestsPerSecond"]
        admitted = admitted_rate(overload)
        log(f"overload: {offered:.0f} requests/s offered, {admitted:.0f} admitted/s, {overload['refused']} refused, "
            f"admitted p99 {overload['latencyMs']['p99']} ms")
        time.sleep(options.after)
        sampler.phase = "settling"

        # 3. What the overload must hold to.
        if overload["latencyMs"]["p99"] >= P99_LIMIT_MS:
            violations.append(f"admitted requests' p99 was {overload['latencyMs']['p99']} ms under overload (limit: under {P99_LIMIT_MS} ms)")
        if overload["refused"] == 0:
            violations.append("nothing was refused under overload: the server did not shed")
        if overload["unexpected"] > 0:
            violations.append(f"{overload['unexpected']} requests got an unexpected answer or none: {overload['unexpectedSamples']}")
        problems = load_problems(overload, notes)
        if problems:
            violations.append(f"the overload's load failed: {' '.join(problems)}")
        for note in notes:
            log(f"note: {note}")

        # Memory: the overload's second half against its first, the warm-up left out.
        warm = overload_start + options.warm_up
        end = overload_start + options.duration
        middle = (warm + end) / 2
        first = [s[2] for s in sampler.between(warm, middle)]
        second = [s[2] for s in sampler.between(middle, end)]
        after = [s[2] for s in sampler.samples if s[1] == "after"]
        first_max, second_max = (max(first) if first else None), (max(second) if second else None)
        rss_limit = None
        if first_max is None or second_max is None:
            violations.append("too few memory samples in the overload to tell whether memory stayed flat")
        else:
            rss_limit = RSS_GROWTH * first_max + RSS_SLACK
            if second_max > rss_limit:
                violations.append(
                    f"resident memory grew under steady overload: {mib(second_max)} MiB at most in the second half, "
                    f"against {mib(first_max)} MiB in the first (limit {mib(rss_limit)} MiB = 1.15 × first + 16 MiB)"
                )
        server_cpu = [s for s in sampler.between(overload_start, overload_end)]
        server_cpu_rate = (server_cpu[-1][3] - server_cpu[0][3]) / max(server_cpu[-1][0] - server_cpu[0][0], 0.001) if len(server_cpu) > 1 else None

        # 4. Once the load has stopped: sagas, orders, books, audit.
        log("load stopped; waiting for every saga to finish, then checking the books")
        journal = read_journal(calibration_journal) + (read_journal(sizing_journal) if sizing else []) + read_journal(overload_journal)
        books_violations, books = check_books(shop, options.binary, initial, journal, options.settle)
        violations += books_violations

        refused_429 = sum(step["statuses"].get("429", 0) for step in overload["steps"])
        figures = {
            "calibration": {
                "users": options.calibration_users,
                "seconds": calibration["seconds"],
                "requests per second": calibration["requestsPerSecond"],
                "admitted per second (sustained)": round(sustained, 1),
                "refused": calibration["refused"],
                "admitted p50 ms": calibration["latencyMs"]["p50"],
                "admitted p99 ms": calibration["latencyMs"]["p99"],
                "load CPU seconds per second": round(calibration_cpu / max(calibration_end - calibration_start, 0.001), 2),
            },
            "sizing": None if sizing is None else {
                "users": sizing["users"],
                "seconds": sizing["seconds"],
                "offered per second": sizing["requestsPerSecond"],
                "offered per shopper per second": round(sizing["requestsPerSecond"] / sizing["users"], 2),
            },
            "overload": {
                "users": users,
                "users wanted": wanted,
                "think": options.think,
                "seconds": overload["seconds"],
                "offered per second": offered,
                "admitted per second": round(admitted, 1),
                "offered / sustained": round(offered / sustained, 2),
                "note": (
                    f"the load offered {offered / sustained:.2f} times what the calibration sustained, below the factor "
                    f"{options.factor:g}: its shoppers wait for each answer (a closed load), and the load generator shares "
                    f"the machine with the server" if offered / sustained < options.factor else
                    f"the load offered at least {options.factor:g} times what the calibration sustained"
                ),
                "requests": overload["requests"],
                "refused": overload["refused"],
                "refused share": round(overload["refused"] / max(overload["requests"], 1), 3),
                "refused by status": {"429": refused_429, "503": overload["refused"] - refused_429},
                "refusal p50 ms": overload["refusedLatencyMs"]["p50"],
                "refusal p99 ms": overload["refusedLatencyMs"]["p99"],
                "admitted p50 ms": overload["latencyMs"]["p50"],
                "admitted p99 ms": overload["latencyMs"]["p99"],
                "admitted max ms": overload["latencyMs"]["max"],
                "steps": {
                    step["step"]: {
                        "requests": step["requests"], "refused": step["refused"],
                        "admitted p50 ms": step["latencyMs"]["p50"], "admitted p99 ms": step["latencyMs"]["p99"],
                    }
                    for step in overload["steps"] if step["requests"]
                },
                "unexpected": overload["unexpected"],
                "checkouts": overload["checkouts"],
                "load's orders": overload["orders"],
                "load passed": overload["passed"],
                "load CPU seconds per second": round(load_cpu / max(overload_end - overload_start, 0.001), 2),
                "server CPU seconds per second": None if server_cpu_rate is None else round(server_cpu_rate, 2),
            },
            "resident memory MiB": {
                "at ready": mib(sampler.samples[0][2]) if sampler.samples else None,
                "end of calibration": mib(calibration_sample[2]) if calibration_sample else None,
                "overload first half max": mib(first_max),
                "overload second half max": mib(second_max),
                "limit (1.15 × first + 16)": mib(rss_limit),
                f"{options.after:g} s after, max": mib(max(after)) if after else None,
                f"{options.after:g} s after, last": mib(after[-1]) if after else None,
                "samples": len(sampler.samples),
            },
            "notes": notes,
            **books,
            "violations": len(violations),
            "seconds": round(time.monotonic() - started),
        }
    except DrillError as error:
        violations.append(str(error))
    finally:
        if sampler:
            sampler.stop()
        shop.stop()

    sys.exit(report(figures, violations, work, options.keep))


if __name__ == "__main__":
    main()
