"""Draws ci/bench's CSV as SVG beside it, and a page that shows them.

    bench_plots.py DIR
    bench_plots.py --reduction-totals explore_reduction.csv

The second prints only the reduction table's total per set, as ci/bench's
terminal table shows them (the page shows the same totals).

Reads from DIR whichever of these exist: time_to_bug.csv
(variant,bug,protocol,sanitizer,seed,found,executions,seconds),
harness_bench_{opt,asan,tsan}.csv (benchmark,build,variant,value,unit),
minimization.csv (bug,variant,bytes,threads,ops,switches,context_switches),
explore_to_bug.csv (bug,protocol,sanitizer,schedules,every_point,
dependent_only,result) and
explore_reduction.csv (set,program,protocol,explore,explore_distinct,
every_point,every_point_distinct,dependent_only,dependent_only_distinct,
result).
Writes time_to_bug.svg (as FuzzBench draws it: the fraction of bug x seed
pairs found within N executions, log x, one line per variant),
throughput.svg, minimization.svg and index.html, which also shows the
floor of throughput (harness_bench's "floor" rows) and the explorer's
figures as tables.
"""
import csv
import html
import os
import sys

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402


def read(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return list(csv.DictReader(f))


def time_to_bug_curves(rows):
    """{variant: (sorted executions of the found pairs, number of pairs)}."""
    curves = {}
    for r in rows:
        found, total = curves.setdefault(r["variant"], ([], [0]))
        total[0] += 1
        if r["found"] == "1":
            found.append(max(1, int(r["executions"])))
    return {v: (sorted(f), t[0]) for v, (f, t) in curves.items()}


def plot_time_to_bug(rows, path):
    fig, ax = plt.subplots(figsize=(7, 4))
    curves = time_to_bug_curves(rows)
    cap = max([int(r["executions"]) for r in rows] + [1])
    for variant, (found, total) in curves.items():
        xs, ys = [1], [0.0]
        for i, x in enumerate(found):
            xs += [x, x]
            ys += [i / total, (i + 1) / total]
        xs.append(cap)
        ys.append(len(found) / total)
        ax.plot(xs, ys, label="%s (%d/%d)" % (variant, len(found), total))
    ax.set_xscale("log")
    ax.set(xlabel="executions", ylabel="fraction of bug x seed found", ylim=(0, 1.02),
           title="time to bug")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_throughput(rows, path):
    builds = [b for b in ("opt", "asan", "tsan") if any(r["build"] == b for r in rows)]
    tput = [r for r in rows if r["benchmark"] == "throughput"]
    targets = sorted({r["variant"].rsplit(" ", 1)[0] for r in tput})
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), gridspec_kw={"width_ratios": [3, 1]})
    ax = axes[0]
    kinds = ("naive", "executor_threads", "executor")
    width = 0.8 / max(1, len(kinds) * len(targets))
    for i, t in enumerate(targets):
        for j, kind in enumerate(kinds):
            vals = [next((float(r["value"]) for r in tput if r["build"] == b and
                          r["variant"] == "%s %s" % (t, kind)), 0) for b in builds]
            xs = [k + (len(kinds) * i + j - len(kinds) * len(targets) / 2) * width
                  for k in range(len(builds))]
            ax.bar(xs, vals, width, label="%s, %s" % (t.replace("nsproxy_", "").replace("_fuzzer", ""),
                                                     kind),
                   hatch={"naive": "//", "executor_threads": ".."}.get(kind, ""), color="C%d" % i,
                   alpha=1 if kind == "executor" else 0.5)
    ax.set_xticks(range(len(builds)), [b.upper() if b != "opt" else "opt" for b in builds])
    ax.set_yscale("log")
    ax.set(ylabel="execs/s (log)",
           title="throughput: naive harness (//), executor on threads (..) and on fibers")
    ax.legend(fontsize=6, ncol=2)
    bx = axes[1]
    hand = [r for r in rows if r["benchmark"] == "handoff"]
    hand_kinds = ("raw_futex", "executor_threads", "executor")
    for j, kind in enumerate(hand_kinds):
        vals = [next((float(r["value"]) for r in hand if r["build"] == b and r["variant"] == kind), 0)
                for b in builds]
        bx.bar([k + (j - 1) * 0.27 for k in range(len(builds))], vals, 0.27, label=kind)
    bx.set_xticks(range(len(builds)), builds)
    bx.set_yscale("log")
    bx.set(ylabel="ns per switch (log)", title="hand-off")
    bx.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_minimization(rows, path):
    bugs = list(dict.fromkeys(r["bug"] for r in rows))
    variants = ["raw", "libfuzzer", "triage"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, field, title in ((axes[0], "bytes", "bytes"), (axes[1], "ops", "operations")):
        for j, v in enumerate(variants):
            vals = []
            for b in bugs:
                cell = next((r[field] for r in rows if r["bug"] == b and r["variant"] == v), "-")
                vals.append(int(cell) if cell.isdigit() else 0)
            ax.barh([k + (j - 1) * 0.27 for k in range(len(bugs))], vals, 0.27, label=v)
        ax.set_yticks(range(len(bugs)), bugs if ax is axes[0] else [""] * len(bugs), fontsize=7)
        ax.invert_yaxis()
        ax.set(xlabel=title, title="minimized input: " + title)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def html_table(caption, header, rows):
    """A <table> of strings, escaped."""
    cells = lambda tag, row: "".join("<%s>%s</%s>" % (tag, html.escape(str(c)), tag) for c in row)
    return ("<table><caption>%s</caption><tr>%s</tr>\n%s</table>\n"
            % (html.escape(caption), cells("th", header),
               "".join("<tr>%s</tr>\n" % cells("td", r) for r in rows)))


def ratio(a, b, digits=2):
    return "%.*f" % (digits, a / b) if b else "-"


def floor_rows(rows):
    """(build, target, floor execs/s, executor execs/s, ratio, on threads, ratio) per floor."""
    value = {(r["build"], r["variant"]): float(r["value"]) for r in rows if r["benchmark"] == "floor"}
    out = []
    for (build, variant), one in value.items():
        target, kind = variant.rsplit(" ", 1)
        if kind != "one_thread":
            continue
        ex = value.get((build, target + " executor"), 0)
        th = value.get((build, target + " executor_threads"), 0)
        out.append((build, target, "%.0f" % one, "%.0f" % ex, ratio(one, ex), "%.0f" % th,
                    ratio(one, th)))
    return out


def reduction_rows(rows):
    """Each row of explore_reduction.csv, then a total per set."""
    cols = ("explore", "explore_distinct", "every_point", "every_point_distinct", "dependent_only",
            "dependent_only_distinct")
    counted = [r for r in rows if all(r[c].isdigit() for c in cols)]
    out = [(r["set"], r["program"], r["protocol"]) + tuple(r[c] for c in cols)
           + (ratio(float(r["explore"]), float(r["every_point"])) if r in counted else "-", r["result"])
           for r in rows]
    for s in dict.fromkeys(r["set"] for r in rows):
        mine = [r for r in counted if r["set"] == s]
        sums = tuple(sum(int(r[c]) for r in mine) for c in cols)
        out.append((s, "total (%d runs)" % len(mine), "") + sums + (ratio(sums[0], sums[2]), ""))
    return out


def print_reduction_totals(path):
    """The total rows of reduction_rows, in ci/bench's column widths."""
    totals = [r for r in reduction_rows(read(path)) if r[1].startswith("total")]
    for r in sorted(totals):
        label = "total: %ss %s" % (r[0], r[1][len("total "):])
        print("%-36s %-15s %10s %10s %11s %10s %10s %10s %7s"
              % ((label, "") + r[3:9] + (ratio(r[3], r[5], 3),)))


def main(argv):
    if len(argv) == 3 and argv[1] == "--reduction-totals":
        print_reduction_totals(argv[2])
        return
    d = argv[1]
    ttb = read(os.path.join(d, "time_to_bug.csv"))
    hb = sum((read(os.path.join(d, "harness_bench_%s.csv" % b)) for b in ("opt", "asan", "tsan")), [])
    mini = read(os.path.join(d, "minimization.csv"))
    to_bug = read(os.path.join(d, "explore_to_bug.csv"))
    reduction = read(os.path.join(d, "explore_reduction.csv"))
    figures = []
    if ttb:
        plot_time_to_bug(ttb, os.path.join(d, "time_to_bug.svg"))
        figures.append(("time_to_bug.svg", "Time to bug: the fraction of (bug, seed) pairs "
                        "found within N executions, per variant (log x)."))
    if hb:
        plot_throughput(hb, os.path.join(d, "throughput.svg"))
        figures.append(("throughput.svg", "Throughput and hand-off cost, per build."))
    if mini:
        plot_minimization(mini, os.path.join(d, "minimization.svg"))
        figures.append(("minimization.svg", "Minimization: each bug's first crashing input "
                        "(raw), libFuzzer's -minimize_crash, ci/triage's case."))
    body = "".join('<figure><img src="%s" alt="%s"><figcaption>%s</figcaption></figure>\n'
                   % (f, f, html.escape(c)) for f, c in figures)
    if floor_rows(hb):
        body += html_table("Floor of throughput: the seed Programs' ops in Program order on one "
                           "thread, no hand-off, against the executor (execs/s).",
                           ["build", "target", "floor", "executor (fibers)", "floor / executor",
                            "executor (threads)", "floor / threads"], floor_rows(hb))
    if to_bug:
        body += html_table("Explorer: schedules to the finding from each bug's Program "
                           "(its operations only), bound 2.",
                           ["bug", "protocol", "sanitizer", "schedules", "every point", "dependent only",
                            "result"],
                           [(r["bug"], r["protocol"], r["sanitizer"], r["schedules"], r["every_point"],
                             r["dependent_only"], r["result"])
                            for r in to_bug])
    if reduction:
        body += html_table("Explorer: schedules as explore runs them (DPOR), switching at every point "
                           "and only to dependent threads, each with how many ran distinct "
                           "interleavings; bound 2, no bug.",
                           ["set", "program", "protocol", "explore", "distinct", "every point", "distinct",
                            "dependent only", "distinct", "explore / every point", "result"],
                           reduction_rows(reduction))
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>nsfuzz: ci/bench</title><style>body { font-family: sans-serif; margin: 1.5em; }"
            " img { max-width: 100%%; } figure { margin: 1em 0; }"
            " table { border-collapse: collapse; margin: 1em 0; } td, th { border: 1px solid #ccc;"
            " padding: 2px 6px; } caption { text-align: left; font-weight: bold; }</style></head><body>\n"
            "<h1>ci/bench</h1>\n%s<p>Data: the CSV files beside this page.</p></body></html>\n"
            % (body or "<p>no data</p>\n"))
    tmp = os.path.join(d, ".index.html.tmp")
    with open(tmp, "w") as f:
        f.write(page)
    os.replace(tmp, os.path.join(d, "index.html"))
    for f, _ in figures:
        print("plot: %s" % os.path.join(d, f))


if __name__ == "__main__":
    main(sys.argv)
