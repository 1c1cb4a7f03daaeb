#!/usr/bin/env bash
# Runs a fuzz target's X_run script with the arguments the X_run target
# passes (tools/fuzzing.bzl gives this test the same list), plus -runs=200:
# it must exit 0 having run every seed once, whichever engine X_bin links
# (libFuzzer under --config=*-libfuzzer: "INFO: N files found" and
# "Done 200 runs"; the replay engine otherwise: "ran N input(s)").
#
#   fuzz_run_test.sh FUZZ_RUN_SH BIN [--dict=DICT] [SEED...] --
set -uo pipefail
run=$1
shift
# The seeds: the arguments after BIN that are not options, up to --.
n=0
for a in "${@:2}"; do
  [ "$a" = -- ] && break
  [[ $a == -* ]] || n=$((n + 1))
done
((n > 0)) || { echo "FAIL: no seeds among the arguments: $*"; exit 1; }

work=${TEST_TMPDIR:-$(mktemp -d)}/work
log=${TEST_TMPDIR:-/tmp}/fuzz_run.log
FUZZ_WORKDIR=$work "$run" "$@" -runs=200 >"$log" 2>&1
rc=$?
fail() { echo "FAIL: $*"; sed 's/^/  | /' "$log" | tail -n 30; exit 1; }
((rc == 0)) || fail "exit $rc"
grep -q "^fuzz_run: $n seed(s)" "$log" || fail "fuzz_run did not copy the $n seeds"
if grep -q '^INFO: Seed: ' "$log"; then  # libFuzzer
  grep -q "^INFO: *$n files found in $work/corpus" "$log" || fail "libFuzzer did not read the $n seeds"
  grep -q '^Done 200 runs' "$log" || fail "-runs=200 was not forwarded"
  engine=libFuzzer
else
  grep -q "^replay: ran $n input(s), no finding" "$log" || fail "the replay engine did not run the $n seeds"
  engine=replay
fi
echo "PASS: X_run ran $n seeds with $engine"
