"""ci/bench part 6's table: rates and ratios from out/bench/throughput.csv.

Each row of the CSV is one measured run: what (fuzz: a libFuzzer run;
explore: the explorer over the seeds; minimize: triage of one crash),
build, target, variant (threads, fibers, floor, no_run, or a baseline revision),
count (inputs, schedules or crashes), runs (executor runs; minimize: the
minimizer's) and seconds. Minimization is shown as runs and seconds. Prints one line per (what, build, target):
the rate of each variant and each variant's ratio to the thread backend
measured in the same run, fibers' to the floor (the same target
with no scheduler) and to no_run (libFuzzer and the decoder alone) when
they are there.
"""
import csv
import sys


def main(argv):
    rows = list(csv.DictReader(open(argv[1])))
    variants = list(dict.fromkeys(r["variant"] for r in rows))
    keys = list(dict.fromkeys((r["what"], r["build"], r["target"]) for r in rows))
    rate = {(r["what"], r["build"], r["target"], r["variant"]):
            (float(r["count"]) / float(r["seconds"]), float(r["runs"]) / float(r["seconds"]))
            for r in rows if float(r["seconds"]) > 0}
    others = [v for v in variants if v != "threads"]
    head = ["what", "build", "target"] + ["%s/s" % v for v in variants] + \
           ["%s/threads" % v for v in others] + ["fibers/floor", "fibers/no_run"] + \
           ["executor runs/s (%s)" % v for v in variants]
    print("  ".join(head))
    secs = {(r["what"], r["build"], r["target"], r["variant"]): (r["runs"], float(r["seconds"]))
            for r in rows}
    for what, build, target in keys:
        if what == "minimize":
            cells = ["%s: %s runs, %.2f s" % ((v,) + secs[(what, build, target, v)])
                     for v in variants if (what, build, target, v) in secs]
            print("  ".join([what, build, target] + cells))
            continue
        r = [rate.get((what, build, target, v)) for v in variants]
        base = rate.get((what, build, target, "threads"))
        line = [what, build, target]
        line += ["%.0f" % x[0] if x else "-" for x in r]
        line += ["%.2f" % (rate[(what, build, target, v)][0] / base[0])
                 if base and (what, build, target, v) in rate else "-" for v in others]
        fib, flo = rate.get((what, build, target, "fibers")), rate.get((what, build, target, "floor"))
        line.append("%.2f" % (fib[0] / flo[0]) if fib and flo else "-")
        nor = rate.get((what, build, target, "no_run"))
        line.append("%.2f" % (fib[0] / nor[0]) if fib and nor else "-")
        line += ["%.0f" % x[1] if x else "-" for x in r]
        print("  ".join(line))


if __name__ == "__main__":
    main(sys.argv)
