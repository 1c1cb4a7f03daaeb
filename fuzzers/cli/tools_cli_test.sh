#!/usr/bin/env bash
# replay's and program_tool's command lines: --help prints the usage on
# stdout and exits 0; a bad path or number gives one escaped error line and
# a non-zero exit (never an uncaught exception); relative paths are taken
# from BUILD_WORKING_DIRECTORY; replay counts switches in words that agree
# and, under TSan, calls a run with a race report a finding.
# program_tool stats --protocol reads a Program as a fuzz target built for
# that protocol ran it. explore --signature goes past findings of another
# signature and says so. replay --json and program_tool print/stats --json
# give the same facts as data (jq reads them).
# Args: REPLAY (with the bug catalog) PROGRAM_TOOL RACY_PROGRAM (a Program
# that races with plain_nsproxy_access) EXPLORE (with the bug catalog)
# UAF_PROGRAM (a Program that shows free_without_grace_period's
# use-after-free under either sanitizer).
set -uo pipefail
replay=$(realpath "$1") tool=$(realpath "$2") racy=$(realpath "$3") explore=$(realpath "$4") uaf=$(realpath "$5")
tmp=${TEST_TMPDIR:-$(mktemp -d)}
passed=0 failed=0

# check NAME CONDITION: one line of the report.
check() {
  if eval "$2"; then echo "ok   $1"; passed=$((passed + 1))
  else echo "FAIL $1"; sed 's/^/  | /' "$tmp/out" "$tmp/err"; failed=$((failed + 1)); fi
}
no_control_bytes() { [ -z "$(LC_ALL=C tr -d '\040-\176\n' <"$1")" ]; }
one_line() { [ "$(wc -l <"$tmp/err")" = 1 ] && no_control_bytes "$tmp/err"; }
run() { "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; }

printf '# nsfuzz program v1\nprotocol rcu_2007\nthreads 2\nT1: unshare(NEWNS)\nT2: mounts_open(T1)\nswitch @1 -> T2\n' >"$tmp/one.txt"

for t in replay tool; do
  bin=${!t}
  run "$bin" --help
  check "$t --help: exit $rc, usage on stdout" '[ $rc = 0 ] && grep -q "^usage: " "$tmp/out" && [ ! -s "$tmp/err" ]'
done
run "$replay" --help
for f in --protocol= --bug= --repeat= --quiet --help; do
  check "replay --help lists $f" 'grep -q -e "$f" "$tmp/out"'
done
run "$tool" --help
for c in encode print dict --help; do
  check "program_tool --help lists $c" 'grep -q -e "$c" "$tmp/out"'
done

# Paths that are no Program file.
# A text Program without its first line runs as bytes, as the fuzz targets
# read it, and the tools say so; a format this build does not know is an
# error, never bytes.
printf 'protocol rcu_2007\nthreads 2\nT1: exit()\n' >"$tmp/headless.txt"
run "$replay" --quiet "$tmp/headless.txt"
check "headless text: exit $rc, a note: $(head -c 160 "$tmp/err")" '[ $rc = 0 ] && grep -q "note: .*must start with" "$tmp/err"'
printf '# nsfuzz program v9\nT1: exit()\n' >"$tmp/v9.txt"
run "$tool" print "$tmp/v9.txt"
check "v9 text: exit $rc, $(head -c 160 "$tmp/err")" '[ $rc = 1 ] && one_line && grep -q "unsupported format .v9." "$tmp/err"'
mkdir -p "$tmp/folder"
run "$replay" "$tmp/folder"
check "replay FOLDER: exit $rc, $(head -c 200 "$tmp/err")" '[ $rc = 1 ] && one_line && grep -q -i -e folder -e directory "$tmp/err"'
run "$tool" print "$tmp/folder"
check "program_tool print FOLDER: exit $rc" '[ $rc = 1 ] && one_line && grep -q -i -e folder -e directory "$tmp/err"'
run "$replay" "$tmp/missing"
check "replay MISSING: exit $rc" '[ $rc = 1 ] && one_line && grep -q "missing: cannot read" "$tmp/err"'
: >"$tmp/empty.bin"
run "$replay" "$tmp/empty.bin"
check "replay EMPTY: exit $rc, $(cat "$tmp/err")" '[ $rc = 1 ] && one_line && grep -q "empty: no Program in it" "$tmp/err"'
run "$tool" encode "$tmp/one.txt" /proc/nsfuzz-no-such-file
check "program_tool encode onto /proc: names the file asked for: $(cat "$tmp/err")" '[ $rc = 1 ] && one_line && grep -q "/proc/nsfuzz-no-such-file: cannot write" "$tmp/err" && ! grep -q ".tmp-" "$tmp/err"'
run "$tool" encode "$tmp/one.txt" "$tmp/folder"
check "program_tool encode onto a folder: exit $rc" '[ $rc = 1 ] && one_line && grep -q "exists" "$tmp/err"'

# Numbers are whole numbers or an error.
for bad in 3x "" 0 -1 100001 " 3" 0x3; do
  run "$replay" --repeat="$bad" "$tmp/one.txt"
  check "replay --repeat='$bad': exit $rc" '[ $rc = 2 ] && one_line && grep -q -e "--repeat expects a whole number" "$tmp/err"'
done
run "$replay" --quiet --repeat=3 "$tmp/one.txt"
check "replay --repeat=3" '[ $rc = 0 ] && grep -q "same interleaving in 4 runs: no finding" "$tmp/out"'

# Bytes of the input are escaped in errors.
run "$replay" --protocol="$(printf 'a\377\033[31m')" "$tmp/one.txt"
check "replay escapes a flag: $(cat "$tmp/err")" '[ $rc = 2 ] && one_line && grep -qF "a\\xff\\x1b[31m" "$tmp/err"'
run "$tool" "$(printf 'x\001')"
check "program_tool escapes a command: $(cat "$tmp/err")" '[ $rc = 2 ] && one_line && grep -qF "x\\x01" "$tmp/err"'

# One switch, in words that agree.
run "$replay" --quiet "$tmp/one.txt"
check "replay: '1 switch'" '[ $rc = 0 ] && grep -q "^=== [0-9]* schedule points, 1 switch: no finding$" "$tmp/out"'
run "$replay" --quiet "$uaf"  # no bug: it runs clean, switching 4 times
check "replay: '4 switches'" '[ $rc = 0 ] && grep -q "^=== [0-9]* schedule points, 4 switches: no finding$" "$tmp/out"'

# bazel run: relative paths from BUILD_WORKING_DIRECTORY, outputs too.
mkdir -p "$tmp/wd"
cp "$tmp/one.txt" "$tmp/wd/in.txt"
(cd / && BUILD_WORKING_DIRECTORY=$tmp/wd "$replay" --quiet in.txt) >"$tmp/out" 2>"$tmp/err"
rc=$?
check "replay under BUILD_WORKING_DIRECTORY: exit $rc" '[ $rc = 0 ] && grep -q "no finding" "$tmp/out"'
(cd / && BUILD_WORKING_DIRECTORY=$tmp/wd "$tool" encode in.txt out.bin) >"$tmp/out" 2>"$tmp/err"
rc=$?
check "program_tool encode under BUILD_WORKING_DIRECTORY: exit $rc" '[ $rc = 0 ] && [ -s "$tmp/wd/out.bin" ] && [ ! -e /out.bin ]'
run "$tool" print "$tmp/wd/out.bin"
check "the encoded Program prints back" 'cmp -s <(sed 1d "$tmp/out") <(sed 1d "$tmp/one.txt")'

# stats --protocol=P reads the Program as if it named P (all but the bytes).
printf '# nsfuzz program v2\nprotocol task_lock_2007\nthreads 2\nT1: unshare(NEWNS)\nT2: mounts_open(T1)\nT1: exit()\nswitch T1@task_lock#1 -> T2\n' >"$tmp/tl.txt"
sed 's/^protocol .*/protocol rcu_2007/' "$tmp/tl.txt" >"$tmp/rcu.txt"
run "$tool" stats "$tmp/rcu.txt"
want=$(cut -d' ' -f2- "$tmp/out")
run "$tool" stats "$tmp/tl.txt"
mine=$(cut -d' ' -f2- "$tmp/out")
run "$tool" stats --protocol=rcu_2007 "$tmp/tl.txt"
check "program_tool stats --protocol=rcu_2007: '$(cat "$tmp/out")', as the file naming it ('$want'; its own protocol: '$mine')" \
  '[ $rc = 0 ] && [ "$(cut -d" " -f2- "$tmp/out")" = "$want" ] && [ "$want" != "$mine" ]'
run "$tool" stats --protocol=rcu "$tmp/tl.txt"
check "program_tool stats --protocol=rcu: exit $rc, $(cat "$tmp/err")" '[ $rc = 2 ] && one_line && grep -q "no such protocol" "$tmp/err"'

# stats --json and print --json: the same numbers as data, and the
# protocol (print's read from the bytes of a bytes Program too).
run "$tool" stats "$tmp/tl.txt"
want=$(cat "$tmp/out")
run "$tool" stats --json "$tmp/tl.txt"
check "program_tool stats --json: $(cat "$tmp/out") is '$want'" \
  '[ $rc = 0 ] && [ "$(jq -r "[.bytes, .threads, .ops, .switches, .context_switches, .preemptions] | map(tostring) | join(\" \")" "$tmp/out")" = "$want" ] && [ "$(jq -r .protocol "$tmp/out")" = task_lock_2007 ]'
run "$tool" stats --protocol=rcu_2007 --json "$tmp/tl.txt"
check "program_tool stats --protocol=rcu_2007 --json: the protocol it ran under" '[ $rc = 0 ] && [ "$(jq -r .protocol "$tmp/out")" = rcu_2007 ]'
"$tool" encode "$tmp/tl.txt" "$tmp/tl.bin"
run "$tool" print --json "$tmp/tl.bin"
check "program_tool print --json of bytes: $(head -c 120 "$tmp/out")" \
  '[ $rc = 0 ] && [ "$(jq -r "[.format, .protocol, .threads, .ops, .switches, .bytes == $(stat -c %s "$tmp/tl.bin")] | @tsv" "$tmp/out")" = "bytes	task_lock_2007	2	3	1	true" ] && jq -j .text "$tmp/out" | cmp -s - <("$tool" print "$tmp/tl.bin")'
run "$tool" encode --json "$tmp/tl.txt" "$tmp/tl2.bin"
check "program_tool encode --json: a usage error: $(cat "$tmp/err")" '[ $rc = 2 ] && one_line && [ ! -e "$tmp/tl2.bin" ]'

# replay --json: each FILE's verdict as data, from a run in a child.
run "$replay" --json "$tmp/one.txt"
check "replay --json, no finding: $(cat "$tmp/out")" \
  '[ $rc = 0 ] && [ "$(jq -r ".files[] | [.verdict, .format, .protocol, .bug, .switches, .runs, .points > 0, .signature, .error] | @tsv" "$tmp/out")" = "no_finding	text	rcu_2007	none	1	1	true		" ]'
run "$replay" --json --repeat=3 --protocol=task_lock_2014 "$tmp/one.txt" "$tmp/tl.bin"
check "replay --json --repeat=3, two files: $(head -c 200 "$tmp/out")" \
  '[ $rc = 0 ] && [ "$(jq -r ".files | map([.file, .verdict, .runs, .protocol, .format] | @tsv) | join(\",\")" "$tmp/out")" = "$tmp/one.txt	no_finding	4	task_lock_2014	text,$tmp/tl.bin	no_finding	4	task_lock_2014	bytes" ]'
run "$replay" --json --bug=free_without_grace_period "$uaf" "$tmp/one.txt"
sig=$(jq -r ".files[0].signature | [.kind, .where, .short_kind] | @tsv" "$tmp/out" 2>/dev/null)
check "replay --json, a finding, then the next FILE: $sig" \
  '[ $rc = 1 ] && [ "$(jq -r ".files | map(.verdict) | join(\",\")" "$tmp/out")" = finding,no_finding ] && [[ $sig =~ ^(asan|tsan|nsfuzz):[^[:space:]]+$'"'"'\t'"'"'.+$'"'"'\t'"'"'.+ ]] && jq -e ".files[0].signature.summary | startswith(\"SUMMARY: \")" "$tmp/out" >/dev/null && grep -q "^SUMMARY: " "$tmp/err"'
run "$replay" --json "$tmp/missing" "$tmp/one.txt"
check "replay --json, a missing FILE: an error entry: $(head -c 200 "$tmp/out")" \
  '[ $rc = 1 ] && [ "$(jq -r ".files[0] | [.verdict, (.error | test(\"missing: cannot read\"))] | @tsv" "$tmp/out")" = "error	true" ] && [ "$(jq -r ".files[1].verdict" "$tmp/out")" = no_finding ]'
run "$replay" --json --html="$tmp/x.html" "$tmp/one.txt"
check "replay --json --html: a usage error: $(cat "$tmp/err")" '[ $rc = 2 ] && one_line && [ ! -s "$tmp/out" ]'
run "$replay" --json --timeout=0 "$tmp/one.txt"
check "replay --timeout=0: a usage error: $(cat "$tmp/err")" '[ $rc = 2 ] && one_line'
run "$replay" --help
check "replay --help lists --json and --timeout= but not --_facts-fd" 'grep -q -e "--json" "$tmp/out" && grep -q -e "--timeout=" "$tmp/out" && ! grep -q -e "--_facts" "$tmp/out"'

# explore --signature: setns_plain_get's operations show use-after-frees of
# two signatures (ASan) or one (TSan: the model's own check); one that no
# schedule shows leaves the others counted, the search complete, exit 1.
run "$explore" --help
check "explore --help lists --signature=" '[ $rc = 0 ] && grep -q -e "--signature=SIG" "$tmp/out"'
run "$explore" --signature= "$tmp/one.txt"
check "explore --signature=: exit $rc, $(cat "$tmp/err")" '[ $rc = 2 ] && one_line'
printf '# nsfuzz program v2\nprotocol rcu_2007\nthreads 2\nprivileged T1 T2\nT1: unshare(NEWNS|NEWIPC|NEWNET)\nT2: setns(T1)\nT1: mounts_open(T2)\nT1: exit()\n' >"$tmp/setns.txt"
run "$explore" --bug=setns_plain_get "$tmp/setns.txt"
first=$(sed -n 's/^finding after [0-9]* schedules: //p' "$tmp/out")
check "explore: a first finding ($first)" '[ $rc = 1 ] && [ -n "$first" ]'
run "$explore" --bug=setns_plain_get --signature="$first" "$tmp/setns.txt"
check "explore --signature of the first finding: the same ($(grep -m1 "^finding" "$tmp/out"))" \
  '[ $rc = 1 ] && grep -q "^finding after [0-9]* schedules: $first\$" "$tmp/out"'
run "$explore" --bug=setns_plain_get --signature="asan:none @ nowhere" "$tmp/setns.txt"
check "explore --signature none shows: $(head -1 "$tmp/out")" \
  '[ $rc = 1 ] && grep -q "^not found after [0-9]* schedules, bound 2, complete: [0-9]* findings of another signature, the first: $first\$" "$tmp/out" && grep -q "SUMMARY" "$tmp/err"'

# explore --json: the same verdicts as data (jq reads them).
run "$explore" --json --bug=setns_plain_get "$tmp/setns.txt"
check "explore --json: the finding as data ($(head -c 160 "$tmp/out"))" \
  '[ $rc = 1 ] && [ "$(jq -r "[.verdict, .signature] | @tsv" "$tmp/out")" = "finding	$first" ] && jq -e ".program | startswith(\"# nsfuzz program v2\")" "$tmp/out" >/dev/null'
run "$explore" --json --bug=setns_plain_get --signature="asan:none @ nowhere" "$tmp/setns.txt"
check "explore --json --signature none shows: $(head -c 160 "$tmp/out")" \
  '[ $rc = 1 ] && [ "$(jq -r "[.verdict, .complete, .other_signature] | @tsv" "$tmp/out")" = "not_found	true	$first" ]'
run "$explore" --json "$tmp/setns.txt"
check "explore --json, no bug: $(cat "$tmp/out")" \
  '[ $rc = 0 ] && [ "$(jq -r "[.verdict, .complete, .bound, .distinct > 0, .schedules >= .distinct] | @tsv" "$tmp/out")" = "clean	true	2	true	true" ]'
run "$explore" --json --budget=3 "$tmp/setns.txt"
check "explore --json --budget=3: $(cat "$tmp/out")" \
  '[ $rc = 0 ] && [ "$(jq -r "[.verdict, .schedules, .complete] | @tsv" "$tmp/out")" = "budget	3	false" ]'

# Under TSan, with halt_on_error=0 the run goes on after a race report:
# its last line must still say finding, and the exit status not be 0.
TSAN_OPTIONS=halt_on_error=0 "$replay" --quiet --bug=plain_nsproxy_access "$racy" >"$tmp/out" 2>"$tmp/err"
rc=$?
last=$(grep '^=== ' "$tmp/out" | tail -n1)
if grep -q "WARNING: ThreadSanitizer" "$tmp/err"; then
  check "TSan race, halt_on_error=0: exit $rc, '$last'" '[ $rc != 0 ] && [[ $last =~ ": finding ("[0-9]+" sanitizer report"s?" above)"$ ]]'
  # --json: the race is the child's finding; with halt_on_error=0 its
  # run goes on to give its facts (else points is null).
  for halt in 1 0; do
    TSAN_OPTIONS=halt_on_error=$halt "$replay" --json --bug=plain_nsproxy_access "$racy" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    check "TSan race, halt_on_error=$halt, --json: exit $rc, $(jq -c ".files[0] | [.verdict, .signature.kind, .points]" "$tmp/out" 2>/dev/null)" \
      '[ $rc = 1 ] && [ "$(jq -r ".files[0] | [.verdict, .signature.short_kind, .points == null, .switches == null] | @tsv" "$tmp/out")" = "finding	data race	$([ $halt = 1 ] && echo true || echo false)	$([ $halt = 1 ] && echo true || echo false)" ]'
  done
  # --html with the default halt_on_error=1: the run lets reports go on
  # (it re-executes itself) so that the page is written, race marked.
  "$replay" --quiet --bug=plain_nsproxy_access --html="$tmp/race.html" "$racy" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  check "TSan race drawn: exit $rc, page titled and marked" \
    '[ $rc != 0 ] && grep -q "<h1>ThreadSanitizer: data race</h1>" "$tmp/race.html" && grep -q "racing access comes right after" "$tmp/race.html"'
else
  echo "ok   (not a TSan build: the race checks run under --config=tsan; got '$last')"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
