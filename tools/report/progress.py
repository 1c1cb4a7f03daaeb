"""Reads a libFuzzer run's output on stdin and keeps what the report needs.

    progress.py LABEL BUDGET_SECONDS RUN_DIR < libFuzzer output

Writes RUN_DIR/log (the output as is), RUN_DIR/points.csv (seconds since
start, executions, edges, features, corpus units: one row per status line of
libFuzzer, NEW/REDUCE/pulse/DONE, or a fork-mode `#N: cov: ...` line), and
at the end RUN_DIR/stats.json (executions, execs_per_sec, edges, features,
corpus_units, seconds). Prints one progress line per pulse (or fork-mode
status line) on stdout.

Executions come from libFuzzer's final `stat::number_of_executed_units` when
it prints one; fork mode (-fork=N) prints neither that nor pulses, so there
they are the count of its last `#N:` line, which sums the jobs' executions.
"""
import json
import os
import re
import signal
import sys
import time

STATUS = re.compile(r"^#(\d+):?\s+(\w+)?")
FIELD = re.compile(r"\b(cov|ft|corp|exec/s):\s+(\d+)")


def parse_status(line):
    """(executions, kind, {field: int}) of a libFuzzer status line, or None.

    kind is pulse/NEW/REDUCE/INITED/DONE/..., or "fork" for the fork-mode
    line `#N: cov: ...`."""
    m = STATUS.match(line)
    if not m:
        return None
    fields = {k: int(v) for k, v in FIELD.findall(line)}
    if "cov" not in fields:
        return None
    kind = "fork" if line[len("#" + m.group(1))] == ":" else (m.group(2) or "")
    return int(m.group(1)), kind, fields


def parse_final_stat(line):
    """(name, int) of a `stat::name: value` line, or None."""
    m = re.match(r"^stat::(\w+):\s+(\d+)", line)
    return (m.group(1), int(m.group(2))) if m else None


def main(argv):
    label, budget, run_dir = argv[1], argv[2], argv[3]
    # Ctrl-C reaches libFuzzer too: keep reading until it has said its last.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    os.makedirs(run_dir, exist_ok=True)
    start = time.monotonic()
    last = None
    stats = {}
    with open(os.path.join(run_dir, "log"), "w") as log, \
            open(os.path.join(run_dir, "points.csv"), "w") as points:
        points.write("seconds,executions,edges,features,corpus_units\n")
        for line in sys.stdin:
            log.write(line)
            s = parse_final_stat(line)
            if s:
                stats[s[0]] = s[1]
                continue
            st = parse_status(line)
            if not st:
                continue
            execs, kind, f = st
            now = time.monotonic() - start
            last = (execs, f)
            points.write("%.3f,%d,%d,%d,%d\n" % (now, execs, f["cov"], f.get("ft", 0),
                                                 f.get("corp", 0)))
            if kind in ("pulse", "DONE", "fork"):
                print("  %-34s %4ds/%ss  %9d execs  %6s/s  edges %5d  features %6d  corpus %d"
                      % (label, now, budget, execs, f.get("exec/s", "-"), f["cov"],
                         f.get("ft", 0), f.get("corp", 0)), flush=True)
    seconds = time.monotonic() - start
    execs = stats.get("number_of_executed_units", last[0] if last else 0)
    speed = stats.get("average_exec_per_sec", int(execs / seconds) if seconds > 0 else 0)
    out = {
        "executions": execs,
        "execs_per_sec": speed,
        "edges": last[1]["cov"] if last else 0,
        "features": last[1].get("ft", 0) if last else 0,
        "corpus_units": last[1].get("corp", 0) if last else 0,
        "seconds": round(seconds, 1),
    }
    tmp = os.path.join(run_dir, ".stats.json.tmp")
    with open(tmp, "w") as f:
        json.dump(out, f, indent=1)
    os.replace(tmp, os.path.join(run_dir, "stats.json"))


if __name__ == "__main__":
    main(sys.argv)
