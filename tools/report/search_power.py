#!/usr/bin/env python3
"""Search power: the medians of ci/bench part 3 and ci/bug-hunt, in one place.

  search_power.py table CSV RACY   the table of median executions (median
      seconds) per bug and variant from ci/bug-hunt's CSV (label, bug,
      protocol, sanitizer, seed, found, executions, seconds), then random
      PCT's median over each variant's on the racy bugs (RACY: one a line)
      that PCT finds, and their geometric mean, in executions and seconds.
  search_power.py median           the median of the numbers on stdin, one a
      line ("none": not found, counted as 999999999), as ci/bug-hunt prints it.

A median of m values is the ((m + 1) // 2)-th smallest: the lower middle.
"""
import csv
import math
import sys

NOT_FOUND = 1e18


def median(values):
    v = sorted(values, key=float)
    return v[(len(v) + 1) // 2 - 1]


def table(csv_path, racy_path):
    with open(racy_path) as f:
        racy = {line.strip() for line in f if line.strip()}
    bugs, variants = [], []
    runs = {}  # (variant, bug) -> [(executions, seconds)]
    with open(csv_path, newline="") as f:
        rows = csv.reader(f)
        next(rows, None)
        for r in rows:
            variant, bug, found = r[0], r[1], r[5]
            if bug not in bugs:
                bugs.append(bug)
            if variant not in variants:
                variants.append(variant)
            e, t = (float(r[6]), float(r[7])) if found not in ("", "0") else (NOT_FOUND, NOT_FOUND)
            runs.setdefault((variant, bug), []).append((e, t))
    me, mt = {}, {}
    out = ["%-32s" % "bug" + "".join(" %-24s" % v for v in variants)]
    for b in bugs:
        line = "%-32s" % b
        for v in variants:
            k = (v, b)
            if k not in runs:
                line += " %-24s" % "-"
                continue
            me[k] = median([e for e, _ in runs[k]])
            mt[k] = median([t for _, t in runs[k]])
            cell = "not found" if me[k] >= NOT_FOUND else "%d (%.3f s)" % (me[k], mt[k])
            line += " %-24s" % cell
        out.append(line)
    out.append("--- random PCT median / variant median, racy bugs (no finding without a "
               "preemption) that PCT finds; geometric mean")
    for v in variants:
        if v in ("pct-random", "stress-same-time"):
            continue
        ratios, sum_e, sum_t, m, lost, worse = "", 0.0, 0.0, 0, False, ""
        for b in bugs:
            p, k = ("pct-random", b), (v, b)
            if p not in me or k not in me:
                continue
            if me[k] > me[p]:
                worse += " " + b
            if b not in racy or me[p] >= NOT_FOUND:
                continue
            if me[k] >= NOT_FOUND:
                ratios += " %s=not-found" % b
                lost = True
                continue
            re, rt = me[p] / me[k], mt[p] / mt[k]
            ratios += " %s=%.1f" % (b, re)
            sum_e += math.log(re)
            sum_t += math.log(rt)
            m += 1
        if not m:
            continue
        executions = "- (a median not found)" if lost else "%.1f" % math.exp(sum_e / m)
        out.append("%-26s executions x%s, seconds x%.2f;%s"
                   % (v, executions, math.exp(sum_t / m), ratios))
        if worse:
            out.append("%-26s more executions than random PCT on:%s" % ("", worse))
    print("\n".join(out))


def median_of_stdin():
    words = ["999999999" if w == "none" else w for w in sys.stdin.read().split()]
    if words:  # printed as it came: "0.120" stays "0.120"
        print(median(sorted(words, key=float)))


def main(argv):
    if len(argv) == 4 and argv[1] == "table":
        table(argv[2], argv[3])
    elif len(argv) == 2 and argv[1] == "median":
        median_of_stdin()
    else:
        sys.stderr.write("usage: search_power.py table CSV RACY | median\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
