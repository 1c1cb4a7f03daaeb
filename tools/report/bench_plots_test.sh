#!/usr/bin/env bash
# bench_plots.py against the fixture folder testdata/bench: the reduction
# totals ci/bench prints (as its awk did, kept in reduction_totals.txt), and
# the page with every plot and table of the fixture's CSV.
# Args: SCRIPT FIXTURE_FILE... (the CSV files and reduction_totals.txt).
set -uo pipefail
script=$1
shift
dir=${TEST_TMPDIR:-$(mktemp -d)}/bench
mkdir -p "$dir" && cp "$@" "$dir/"
passed=0 failed=0
check() {  # description, condition...
  local what=$1
  shift
  if "$@"; then echo "ok   $what"; passed=$((passed + 1)); else echo "FAIL $what"; failed=$((failed + 1)); fi
}
got=$(python3 "$script" --reduction-totals "$dir/explore_reduction.csv")
check "reduction totals as expected" [ "$got" = "$(cat "$dir/reduction_totals.txt")" ] ||
  diff <(echo "$got") "$dir/reduction_totals.txt" | sed 's/^/  | /'
python3 "$script" "$dir" >/dev/null
for f in time_to_bug.svg throughput.svg minimization.svg index.html; do
  check "$f written" [ -s "$dir/$f" ]
done
check "the page has the floor and reduction tables" \
  eval 'grep -q "Floor of throughput" "$dir/index.html" && grep -q "total (2 runs)" "$dir/index.html"'
check "no temporary left" [ -z "$(ls -A "$dir" | grep '^\.')" ]
echo "$passed passed, $failed failed"
((failed == 0))
