#!/usr/bin/env bash
# Reproducible campaigns: two libFuzzer runs of the nsproxy target with the
# same -seed from the same corpus take the same path (every NEW and REDUCE
# line alike), and a grown corpus gives the same coverage in every process.
# Both need ASLR off and no RSS watchdog thread (see ci/bug-hunt); where a sandbox forbids that
# (personality(2) blocked by seccomp), the test prints SKIPPED and why.
#
# Args: FUZZER CORPUS_FILE... ; env RUNS (default 3000).
set -uo pipefail
fuzzer=$1
shift
runs=${RUNS:-3000}
tmp=${TEST_TMPDIR:-$(mktemp -d)}
if ! err=$(setarch -R true 2>&1); then
  echo "SKIPPED: ASLR cannot be turned off here (setarch -R: $err)"
  exit 0
fi
passed=0 failed=0
check() {  # name, then a command whose status says pass or fail
  local name=$1; shift
  if "$@"; then echo "ok   $name"; passed=$((passed + 1)); else echo "FAIL $name"; failed=$((failed + 1)); fi
}
campaign() {  # n -> $tmp/path.n: the campaign's path, without timings
  rm -rf "$tmp/c$1"; mkdir -p "$tmp/c$1"
  cp "${corpus[@]}" "$tmp/c$1/"
  NSFUZZ_BUG=none setarch -R "$fuzzer" -seed=7 -runs="$runs" -reload=0 -rss_limit_mb=0 "$tmp/c$1" >"$tmp/raw.$1" 2>&1
  grep -E '^#[0-9]+' "$tmp/raw.$1" | grep -v pulse | sed 's/ exec\/s:.*//' >"$tmp/path.$1"
}
corpus=("$@")
campaign 1
campaign 2
lines=$(wc -l <"$tmp/path.1")
check "two campaigns with -seed=7, $runs runs: the same $lines lines" \
  cmp -s "$tmp/path.1" "$tmp/path.2"
[ "$lines" -gt 20 ] || { echo "FAIL: only $lines lines of progress; nothing was compared"; failed=$((failed + 1)); }
diff "$tmp/path.1" "$tmp/path.2" | head -n 4
cmp -s "$tmp/path.1" "$tmp/path.2" || { echo "RAW1:"; head -40 "$tmp/raw.1"; echo "RAW2:"; head -40 "$tmp/raw.2"; }
: >"$tmp/inited"
for i in 1 2 3 4 5 6; do
  NSFUZZ_BUG=none setarch -R "$fuzzer" -runs=0 -rss_limit_mb=0 "$tmp/c1" 2>&1 | grep -o 'INITED cov: [0-9]* ft: [0-9]*' >>"$tmp/inited"
done
check "the grown corpus ($(ls "$tmp/c1" | wc -l) units) in 6 processes: $(sort -u "$tmp/inited" | paste -sd'|')" \
  [ "$(sort -u "$tmp/inited" | wc -l)" = 1 -a "$(wc -l <"$tmp/inited")" = 6 ]
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
