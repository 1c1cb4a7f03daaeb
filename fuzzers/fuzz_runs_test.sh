#!/usr/bin/env bash
# The executor runs the nsproxy target counts (NSFUZZ_RUNS_FILE, ci/bug-hunt's
# measure) are the search's: the empty input libFuzzer tests the callback
# with runs nothing, and the seed corpus's initial pass runs each seed once
# (no input is run again for a leak that a grown buffer looked like); a
# one-byte input, the empty input's Program, runs once. No RSS watchdog
# (-rss_limit_mb=0): its thread's start, racing with the first inputs, can
# leave one with more mallocs than frees, run again (see ci/bug-hunt).
#
# Args: FUZZER CORPUS_FILE...
set -uo pipefail
fuzzer=$1
shift
tmp=${TEST_TMPDIR:-$(mktemp -d)}
passed=0 failed=0
check() {  # name, expected, actual
  if [ "$2" = "$3" ]; then
    echo "ok   $1: $3"; passed=$((passed + 1))
  else
    echo "FAIL $1: $3 executor runs, expected $2"; failed=$((failed + 1))
  fi
}
runs_of() {  # libFuzzer arguments -> the executor runs counted
  : >"$tmp/runs"
  NSFUZZ_BUG=none NSFUZZ_RUNS_FILE="$tmp/runs" "$fuzzer" -rss_limit_mb=0 "$@" >"$tmp/log" 2>&1 ||
    { echo "FAIL $fuzzer $*: exit $?"; tail -n3 "$tmp/log"; }
  od -An -t u8 "$tmp/runs" | tr -d ' '
}
: >"$tmp/empty"
check "the empty input" 0 "$(runs_of "$tmp/empty")"
printf '\001' >"$tmp/one"
check "the byte 0x01" 1 "$(runs_of "$tmp/one")"
rm -rf "$tmp/corpus"; mkdir -p "$tmp/corpus"
cp "$@" "$tmp/corpus/"
check "the seed corpus, -runs=0 ($# seeds)" "$#" "$(runs_of -runs=0 "$tmp/corpus")"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
