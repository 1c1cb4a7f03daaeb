#!/usr/bin/env bash
# No false positives: the nsproxy fuzz target (libFuzzer, no injected bug)
# runs a fixed number of executions from the seed corpus under each correct
# protocol with no finding.
#
# Args: FUZZER CORPUS_FILE... ; env RUNS (default 20000), PROTOCOLS (the
# protocols, space-separated: tools/protocols.bzl, from BUILD).
set -uo pipefail
fuzzer=$1
shift
runs=${RUNS:-20000}
tmp=${TEST_TMPDIR:-$(mktemp -d)}
passed=0 failed=0
[ -n "${PROTOCOLS:-}" ] || { echo "FAIL: no PROTOCOLS in the environment"; exit 1; }
for protocol in $PROTOCOLS; do
  rm -rf "$tmp/corpus" "$tmp/art"; mkdir -p "$tmp/corpus" "$tmp/art"
  cp "$@" "$tmp/corpus/"
  NSFUZZ_BUG=none NSFUZZ_PROTOCOL=$protocol "$fuzzer" -seed=1 -runs="$runs" \
    -print_final_stats=1 -artifact_prefix="$tmp/art/" "$tmp/corpus" \
    >"$tmp/log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tmp/log")
  if [ "$rc" = 0 ] && [ "${execs:-0}" -ge "$runs" ]; then
    echo "ok   $protocol: $execs executions, no finding"
    passed=$((passed + 1))
  else
    echo "FAIL $protocol: exit $rc after ${execs:-?} executions:"
    grep -m3 -E 'ERROR|WARNING|SUMMARY' "$tmp/log"
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
