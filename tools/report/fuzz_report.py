"""Writes a ci/fuzz run's summary: a table on stdout, summary.json and
report.html (with coverage plots drawn by matplotlib) in OUT.

    fuzz_report.py OUT BUDGET_SECONDS BUG INTERRUPTED

Reads OUT/runs/<sanitizer>/<target>/ as ci/fuzz and progress.py leave them:
stats.json, points.csv, findings.jsonl (one JSON record per artifact:
artifact, status, signature, case), and OUT/runs/order ("SANITIZER TARGET"
lines, in the order they ran).
"""
import csv
import html
import json
import os
import sys

# A finding's status as ci/triage names it -> what the report says.
STATUS_WORDS = {
    "new": "NEW",
    "duplicate": "known",
    "flaky": "flaky",
    "no_finding": "not reproduced",
    "decoder_crash": "decoder crash",
}


def read_runs(out):
    """One dict per (sanitizer, target) run, in the order ci/fuzz ran them."""
    runs = []
    root = os.path.join(out, "runs")
    order = os.path.join(root, "order")
    if not os.path.exists(order):
        return runs
    with open(order) as f:
        order_lines = [line.split() for line in f if line.strip()]
    for san, t in order_lines:
        rd = os.path.join(root, san, t)
        if not os.path.exists(os.path.join(rd, "stats.json")):
            continue
        with open(os.path.join(rd, "stats.json")) as f:
            run = json.load(f)
        run.update(target=t, sanitizer=san, points=[], findings=[])
        with open(os.path.join(rd, "points.csv")) as f:
            rows = list(csv.reader(f))
        # Compact: one list per status line, columns named once.
        run["points_columns"] = rows[0]
        run["points"] = [[float(r[0])] + [int(v) for v in r[1:]] for r in rows[1:]]
        fj = os.path.join(rd, "findings.jsonl")
        if os.path.exists(fj):
            with open(fj) as f:
                for line in f:
                    if line.strip():
                        run["findings"].append(finding(json.loads(line), out))
        runs.append(run)
    return runs


def finding(rec, out):
    """A findings.jsonl record with the case's minimized Program and links."""
    rec["new"] = rec["status"] in ("new", "decoder_crash", "flaky", "no_finding") or \
        rec["status"].startswith("libfuzzer_exit_") or rec["status"] == "triage_failed"
    rec["program"] = ""
    case = rec.get("case") or ""
    if case and os.path.exists(os.path.join(case, "program.txt")):
        with open(os.path.join(case, "program.txt")) as f:
            rec["program"] = f.read()
        rec["case_link"] = os.path.relpath(case, out) + "/"
        trace = os.path.join(case, "trace.html")
        rec["trace_link"] = os.path.relpath(trace, out) if os.path.exists(trace) else ""
    return rec


def findings_word(run):
    if not run["findings"]:
        return "none"
    return "; ".join("%s: %s" % (STATUS_WORDS.get(f["status"], f["status"]),
                                 f["signature"] or f["artifact"]) +
                     (" -> %s" % f["case"] if f["case"] else "") +
                     (" (minimization cut short by the triage budget)" if f.get("cut_short") else "")
                     for f in run["findings"])


def plot(runs, out):
    """One SVG per sanitizer: edges over time, a line per target."""
    import matplotlib
    matplotlib.use("svg")
    import matplotlib.pyplot as plt
    os.makedirs(os.path.join(out, "plots"), exist_ok=True)
    files = {}
    for san in sorted({r["sanitizer"] for r in runs if r["points"]}):
        fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 3.6))
        for r in runs:
            if r["sanitizer"] != san or not r["points"]:
                continue
            xs = [p[0] for p in r["points"]]
            ax.step(xs, [p[2] for p in r["points"]], where="post", label=r["target"])
            bx.plot(xs, [p[1] for p in r["points"]], label=r["target"])
        ax.set(title="coverage (%s)" % san.upper(), xlabel="seconds", ylabel="edges (cov:)")
        bx.set(title="executions (%s)" % san.upper(), xlabel="seconds", ylabel="executions")
        if ax.get_lines():
            ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
        bx.grid(alpha=0.3)
        fig.tight_layout()
        name = "plots/coverage_%s.svg" % san
        fig.savefig(os.path.join(out, name))
        plt.close(fig)
        files[san] = name
    return files


def write_atomically(path, text):
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def page(summary, plots):
    e = html.escape
    rows = []
    for r in summary["runs"]:
        rows.append("<tr><td>%s</td><td>%s</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td>"
                    "<td>%d</td><td>%s</td></tr>" % (
                        e(r["target"]), r["sanitizer"].upper(), r["executions"],
                        r["execs_per_sec"], r["edges"], r["features"], r["corpus_units"],
                        e(findings_word(r))))
    found = []
    for r in summary["runs"]:
        for f in r["findings"]:
            links = ""
            if f.get("case_link"):
                links = ' <a href="%s">case</a>' % e(f["case_link"])
                if f.get("trace_link"):
                    links += ' <a href="%s">trace.html</a>' % e(f["trace_link"])
            found.append('<div class="finding %s"><h3>%s: %s (%s, %s)</h3><p>%s%s%s</p>%s</div>' % (
                "new" if f["new"] else "known",
                STATUS_WORDS.get(f["status"], e(f["status"])), e(f["signature"] or "-"),
                e(r["target"]), r["sanitizer"].upper(), e(f["artifact"]), links,
                "<br>minimization cut short by the triage budget: ci/triage it again"
                if f.get("cut_short") else "",
                "<pre>%s</pre>" % e(f["program"]) if f["program"] else ""))
    without = ["%s (%s)" % (r["target"], r["sanitizer"].upper())
               for r in summary["runs"] if not r["points"]]
    imgs = "".join('<figure><img src="%s" alt="coverage under %s"></figure>' % (e(p), s)
                   for s, p in sorted(plots.items()))
    if without:
        imgs += "<p>No status line from libFuzzer (a finding on the first inputs): %s.</p>" % \
            e(", ".join(without))
    verdict = ("interrupted" if summary["interrupted"] else
               "NEW FINDING" if summary["new_findings"] else "no new finding")
    return """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>nsfuzz: ci/fuzz report</title>
<style>
body {{ font-family: sans-serif; margin: 1.5em; color: #222; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #bbb; padding: 3px 8px; }}
td:nth-child(n+3):nth-child(-n+7) {{ text-align: right; }}
.finding {{ border-left: 4px solid #888; padding-left: 8px; margin: 8px 0; }}
.finding.new {{ border-color: #c00; }} pre {{ background: #f4f4f4; padding: 6px; }}
img {{ max-width: 100%; }}
</style></head><body>
<h1>ci/fuzz: {verdict}</h1>
<p>Budget {budget} s, injected bug: {bug}. Exit status: the run's contract; this page and
<a href="summary.json">summary.json</a> describe it.</p>
<table><tr><th>target</th><th>sanitizer</th><th>executions</th><th>execs/s</th><th>edges</th>
<th>features</th><th>corpus</th><th>findings</th></tr>
{rows}
</table>
<h2>Coverage over time</h2>
{imgs}
<h2>Findings</h2>
{found}
</body></html>
""".format(verdict=e(verdict), budget=summary["budget_seconds"], bug=e(summary["bug"]),
           rows="\n".join(rows), imgs=imgs or "<p>no data</p>",
           found="\n".join(found) or "<p>none</p>")


def main(argv):
    out, budget, bug, interrupted = argv[1], int(argv[2]), argv[3], argv[4] == "1"
    runs = read_runs(out)
    summary = {
        "budget_seconds": budget,
        "bug": bug,
        "interrupted": interrupted,
        "new_findings": sum(f["new"] for r in runs for f in r["findings"]),
        "runs": runs,
    }
    plots = plot(runs, out) if runs else {}
    for r in runs:
        r["coverage_plot"] = plots.get(r["sanitizer"], "")
    write_atomically(os.path.join(out, "summary.json"), json.dumps(summary, indent=1) + "\n")
    write_atomically(os.path.join(out, "report.html"), page(summary, plots))
    print("=== summary (%d s budget%s)" % (budget, ", bug " + bug if bug != "none" else ""))
    fmt = "%-30s %-5s %10s %8s %6s %7s  %s"
    print(fmt % ("target", "san", "execs", "execs/s", "edges", "corpus", "findings"))
    for r in runs:
        print(fmt % (r["target"], r["sanitizer"].upper(), r["executions"], r["execs_per_sec"],
                     r["edges"], r["corpus_units"], findings_word(r)))
    print("report: %s/report.html, %s/summary.json" % (out, out))


if __name__ == "__main__":
    main(sys.argv)
