#!/usr/bin/env bash
# A stale case: its recorded schedule no longer shows its signature, as
# after a change that adds a schedule point before one of its anchors, but
# some schedule of its operations does. `triage --check` passes it with a
# "stale" note that names the command re-recording it; that command writes
# the schedule found into the case in place (operations, name, bug and
# signature kept), after which --check passes with no note. A case whose
# operations cannot show the finding any more still fails. Args: TRIAGE
# PROGRAM_TOOL INPUT (a Program that finds free_without_grace_period).
set -uo pipefail
triage=$(realpath "$1") program_tool=$(realpath "$2") input=$(realpath "$3")
tmp=${TEST_TMPDIR:-$(mktemp -d)}
regs=$tmp/regs
passed=0 failed=0

# check NAME CONDITION...: one line of the report.
check() {
  local name=$1
  shift
  if "$@"; then echo "ok   $name"; passed=$((passed + 1))
  else echo "FAIL $name"; failed=$((failed + 1)); fi
}
snapshot() { (cd "$regs" && find . -type f ! -name trace.html -exec md5sum {} + | sort); }
# The lines a re-record must keep: what the case is, and its operations.
identity() {
  grep -E '^(name|bug|protocol|sanitizer|signature): ' "$1/case.txt"
  grep -E '^(protocol|threads|privileged|fail_alloc|T[0-9]+:) ' "$1/program.txt"
}
# set_program CASE FILTER: program.txt through grep -v FILTER, and
# input.bin its bytes (read_case wants both to agree).
set_program() {
  grep -v -E "$2" "$1/program.txt" >"$tmp/program.txt" &&
    cp "$tmp/program.txt" "$1/program.txt" && rm -f "$1/input.bin" &&
    "$program_tool" encode "$1/program.txt" "$1/input.bin"
}

# A case as triage records it, in this build (its sanitizer's signature).
mkdir -p "$regs"
"$triage" --bug=free_without_grace_period --regressions="$regs" \
  --name=fwgp --confirm=1 "$input" >"$tmp/out" 2>&1 || { echo "FAIL setup"; cat "$tmp/out"; exit 1; }
case=$regs/fwgp
san=$(sed -n 's/^sanitizer: //p' "$case/case.txt")
sig=$(sed -n 's/^signature: //p' "$case/case.txt")
grep -q '^switch ' "$case/program.txt" || { echo "FAIL setup: the case has no switch line"; exit 1; }
recorded=$(grep '^switch ' "$case/program.txt")
before=$(identity "$case")

# (a) Its switches gone, the recorded schedule (the policy's) shows nothing;
# the operations are the same.
set_program "$case" '^switch ' || { echo "FAIL setup: cannot make the case stale"; exit 1; }
files=$(snapshot)
"$triage" --check --regressions="$regs" --json="$tmp/check.json" >"$tmp/out" 2>&1
rc=$?
cat "$tmp/out"
check "--check --json: stale, passed 1, stale 1 ($(jq -c '[.cases[0].status, .passed, .failed, .stale]' "$tmp/check.json"))" \
  eval '[ "$(jq -c "[.cases[0].status, .cases[0].name, .passed, .failed, .stale]" "$tmp/check.json")" = "[\"stale\",\"fwgp\",1,0,1]" ] &&
    jq -e ".cases[0].stale | test(\"re-record it: \")" "$tmp/check.json" >/dev/null'
want="bazel run --config=$san --//core:bug=all //fuzzers/cli:triage -- --rerecord $case"
note=$(grep '^stale fwgp: ' "$tmp/out")
check "--check passes a stale case (exit $rc)" \
  eval '[ $rc = 0 ] && [ "$(tail -1 "$tmp/out")" = "1 passed, 0 failed, 1 stale" ]'
check "the note says how many schedules the exploration took" \
  eval 'grep -qE "schedule [0-9]+ of its operations \(bound 2\) gives '\''$sig'\''" <<<"$note"'
check "the note ends with the command that re-records it" \
  eval '[ "${note##*; re-record it: }" = "$want" ]'
check "--check changes nothing" eval '[ "$files" = "$(snapshot)" ]'

# (b) The command, as triage (bazel run's part after --).
command=${note##*; re-record it: }
read -r -a words <<<"${command#* -- }"
"$triage" "${words[@]}" >"$tmp/out" 2>&1
rc=$?
cat "$tmp/out"
check "--rerecord re-records it (exit $rc)" \
  eval '[ $rc = 0 ] && [ "$(tail -1 "$tmp/out")" = "1 re-recorded, 0 left as they were, 0 failed" ]'
check "same name, bug, protocol, sanitizer, signature and operations" \
  eval '[ "$before" = "$(identity "$case")" ]'
check "switch lines again ($(grep -c '^switch ' "$case/program.txt"); recorded first: $(echo $recorded))" \
  grep -q '^switch ' "$case/program.txt"
check "case.txt says it was re-recorded" grep -q "^rerecorded: schedule [0-9]* of its operations" "$case/case.txt"
check "no temporary left ($(ls -A "$regs" | tr '\n' ' '))" eval '[ "$(ls -A "$regs")" = fwgp ]'
"$triage" --check --regressions="$regs" >"$tmp/out" 2>&1
rc=$?
check "then --check passes with no stale note (exit $rc: $(tail -1 "$tmp/out"))" \
  eval '[ $rc = 0 ] && ! grep -q stale "$tmp/out" && [ "$(tail -1 "$tmp/out")" = "1 passed, 0 failed" ]'
files=$(snapshot)
"$triage" --rerecord "$case" >"$tmp/out" 2>&1
rc=$?
check "--rerecord on a case that is not stale leaves it as it is (exit $rc)" \
  eval '[ $rc = 0 ] && grep -q "^ok   fwgp: its recorded schedule gives" "$tmp/out" && [ "$files" = "$(snapshot)" ]'

# (c) Without the reader, no schedule shows it: --check fails, and says that
# exploring did not find it either; --rerecord fails and writes nothing.
cp -r "$case" "$regs/noreader"
sed -i 's/^name: .*/name: noreader/' "$regs/noreader/case.txt"
set_program "$regs/noreader" '^(switch |T2: )' || { echo "FAIL setup: cannot drop the reader"; exit 1; }
"$triage" --check "$regs/noreader" --json="$tmp/check.json" >"$tmp/out" 2>&1
rc=$?
cat "$tmp/out"
check "--check --json: failed, with the problem ($(jq -c '[.cases[0].status, .failed]' "$tmp/check.json"))" \
  eval '[ "$(jq -c "[.cases[0].status, .passed, .failed]" "$tmp/check.json")" = "[\"failed\",0,1]" ] &&
    jq -e ".cases[0].problems[0] | test(\"not on another schedule\")" "$tmp/check.json" >/dev/null'
check "--check fails a case whose operations cannot show it (exit $rc)" \
  eval '[ $rc = 1 ] && grep -qE "^FAIL noreader: .*expected '\''$sig'\'', got '\''no finding'\''; not on another schedule of its operations either: not found in [0-9]+ schedules, bound 2, complete$" "$tmp/out"'
files=$(snapshot)
"$triage" --rerecord "$regs/noreader" >"$tmp/out" 2>&1
rc=$?
check "--rerecord fails on it and writes nothing (exit $rc: $(head -1 "$tmp/out"))" \
  eval '[ $rc = 1 ] && grep -q "^FAIL noreader: " "$tmp/out" && [ "$files" = "$(snapshot)" ]'

# Bad input: one line, a non-zero exit.
"$triage" --check --rerecord "$case" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "--check with --rerecord: a usage error (exit $rc: $(cat "$tmp/err"))" \
  eval '[ $rc = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && [ ! -s "$tmp/out" ]'
"$triage" --rerecord "$tmp/missing" >"$tmp/out" 2>&1
rc=$?
check "--rerecord on a missing case (exit $rc: $(head -1 "$tmp/out"))" \
  eval '[ $rc = 1 ] && grep -q "^FAIL .*missing/case.txt: cannot read" "$tmp/out"'

"$triage" --rerecord --json="$tmp/rr.json" "$case" >"$tmp/out" 2>"$tmp/err"
check "--rerecord --json: a usage error (exit $?: $(cat "$tmp/err"))" \
  eval '[ ! -e "$tmp/rr.json" ] && grep -q "not --rerecord" "$tmp/err"'
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
