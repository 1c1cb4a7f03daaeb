#!/usr/bin/env bash
# The triage tool's command line: bad input gives one clear error line, a
# non-zero exit and nothing on disk changed; the exit status means what
# `triage --help` says; temporaries are invisible and swept; the scratch
# folder is removed on errors and signals. Args: TRIAGE INPUT (a Program
# that finds free_without_grace_period).
set -uo pipefail
triage=$(realpath "$1") input=$(realpath "$2")
tmp=${TEST_TMPDIR:-$(mktemp -d)}
regs=$tmp/regs
passed=0 failed=0

snapshot() { (cd "$regs" && find . -type f -exec md5sum {} + | sort); }

# expect NAME EXIT PATTERN CMD...: exit status, one stderr line matching.
expect() {
  local name=$1 want=$2 pattern=$3
  shift 3
  local before after
  before=$(snapshot)
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  after=$(snapshot)
  local lines
  lines=$(wc -l <"$tmp/err")
  if [ "$rc" = "$want" ] && [ "$lines" = 1 ] && grep -q -E -e "$pattern" "$tmp/err" &&
     [ "$before" = "$after" ]; then
    echo "ok   $name: $(cat "$tmp/err")"
    passed=$((passed + 1))
  else
    echo "FAIL $name: exit $rc (want $want), $lines stderr line(s):"
    cat "$tmp/err"
    [ "$before" = "$after" ] || echo "  and the regressions folder changed"
    failed=$((failed + 1))
  fi
}

mkdir -p "$regs"
"$triage" --bug=free_without_grace_period --regressions="$regs" \
  --name=first "$input" >"$tmp/out" 2>&1 || { echo "FAIL setup"; cat "$tmp/out"; exit 1; }

expect "unknown bug" 2 "unknown bug 'nope'" \
  "$triage" --bug=nope --regressions="$regs" "$input"
expect "unknown protocol" 2 "unknown protocol 'rcu_1999'" \
  "$triage" --protocol=rcu_1999 --regressions="$regs" "$input"
expect "unknown flag" 2 "unknown flag '--frobnicate'" \
  "$triage" --frobnicate "$input"
expect "missing artifact" 1 "missing.bin: cannot read" \
  "$triage" --regressions="$regs" "$tmp/missing.bin"
printf '# nsfuzz program v1\nprotocol rcu_2007\nthreads 9\n' >"$tmp/bad.txt"
expect "malformed program" 1 "bad.txt: line 3" \
  "$triage" --regressions="$regs" "$tmp/bad.txt"
expect "folder as artifact" 1 "$tmp: is a folder, expected a Program file" \
  "$triage" --regressions="$regs" "$tmp"
expect "--confirm=3x" 2 "--confirm expects a whole number from 1 to 1000, got '3x'" \
  "$triage" --confirm=3x --regressions="$regs" "$input"
expect "--timeout=0" 2 "--timeout expects a whole number from 1 to 3600, got '0'" \
  "$triage" --timeout=0 --regressions="$regs" "$input"
# Bad names are refused before any work, and quoted escaped.
for bad in ../escaped a/b .hidden a.b -x "$(printf 'a\033[31mb')" "$(printf 'a\377')"; do
  expect "--name=$(printf %q "$bad")" 2 "bad --name '" \
    "$triage" --bug=free_without_grace_period --regressions="$regs" --name="$bad" "$input"
done
# A name that is taken is refused before the work (no run: stdout empty).
expect "existing --name" 2 "first exists already; choose another --name" \
  "$triage" --bug=free_without_grace_period --regressions="$regs" \
  --name=first --confirm=1 "$input"
[ -s "$tmp/out" ] && { echo "FAIL existing --name: triage ran first:"; cat "$tmp/out"; failed=$((failed + 1)); }

# A malformed committed case stops triage before it writes anything, and
# --check names it.
cp -r "$regs/first" "$regs/broken"
sed -i '/^signature: /d' "$regs/broken/case.txt"
expect "malformed case" 1 "broken/case.txt: missing 'signature'" \
  "$triage" --bug=reader_without_rcu_lock --regressions="$regs" "$input"
head -c 5 "$regs/first/program.txt" >"$regs/broken/program.txt"
"$triage" --check --regressions="$regs" >"$tmp/out" 2>&1
if [ $? = 1 ] && grep -q "^FAIL $regs/broken: " "$tmp/out"; then
  echo "ok   --check on a truncated case: $(grep '^FAIL' "$tmp/out")"
  passed=$((passed + 1))
else
  echo "FAIL --check on a truncated case:"; cat "$tmp/out"
  failed=$((failed + 1))
fi

# check NAME CONDITION...: one line of the report.
check() {
  local name=$1
  shift
  if "$@"; then echo "ok   $name"; passed=$((passed + 1))
  else echo "FAIL $name"; failed=$((failed + 1)); fi
}
has_control_bytes() { [ -n "$(LC_ALL=C tr -d '\040-\176\n' <"$1")" ]; }

# No raw control byte reaches the terminal.
"$triage" --protocol="$(printf 'x\377\033y')" "$input" >"$tmp/out" 2>"$tmp/err"
check "escaped protocol ($(cat "$tmp/err"))" eval '! has_control_bytes "$tmp/err" && grep -qF "x\\xff\\x1by" "$tmp/err"'

# --help: the usage on stdout, exit 0, every flag listed.
"$triage" --help >"$tmp/out" 2>"$tmp/err"
rc=$?
missing=""
for f in --bug= --protocol= --confirm= --timeout= --name= --regressions= --dry-run --check --help; do
  grep -q -e "$f" "$tmp/out" || missing+=" $f"
done
check "--help (exit $rc, missing:${missing:-none})" eval '[ $rc = 0 ] && [ -z "$missing" ] && [ ! -s "$tmp/err" ]'

# Exit status: 0 for a duplicate, 1 for an artifact without a finding.
rm -rf "$regs/broken"
sed -i 's/^bug: .*/bug: free_without_grace_period/' "$regs/first/case.txt"
"$triage" --bug=free_without_grace_period --regressions="$regs" --confirm=1 "$input" >"$tmp/out" 2>&1
rc=$?
check "duplicate exits 0 (exit $rc)" eval '[ $rc = 0 ] && grep -q "1 duplicate" "$tmp/out"'
"$triage" --regressions="$regs" --confirm=1 "$input" >"$tmp/out" 2>&1
rc=$?
check "no finding exits 1 (exit $rc)" eval '[ $rc = 1 ] && grep -q "1 without finding" "$tmp/out"'

# A new signature for a bug that has a case already gets a free name.
regs2=$tmp/regs2
mkdir -p "$regs2"
cp -r "$regs/first" "$regs2/free_without_grace_period"
sed -i 's/^signature: .*/signature: asan:other @ elsewhere/; s/^name: .*/name: free_without_grace_period/' \
  "$regs2/free_without_grace_period/case.txt"
"$triage" --bug=free_without_grace_period --regressions="$regs2" --confirm=1 "$input" >"$tmp/out" 2>&1
rc=$?
check "new signature, bug has a case: written as <bug>-2 (exit $rc)" \
  eval '[ $rc = 0 ] && [ -f "$regs2/free_without_grace_period-2/case.txt" ] && grep -q "wrote .*free_without_grace_period-2" "$tmp/out"'

# Temporaries of a writer that is gone: invisible to --check, swept by the
# next triage; a folder without all four files is no case either.
sh -c 'exit 0' & gone=$!
wait $gone
cp -r "$regs/first" "$regs/.tmp-first-$gone"
mkdir -p "$regs/half" && cp "$regs/first/case.txt" "$regs/half/"
"$triage" --check --regressions="$regs" >"$tmp/out" 2>&1
check "--check skips temporaries and incomplete folders" \
  eval '! grep -q -e "tmp-first" -e "/half" "$tmp/out" && grep -q "^1 passed, 0 failed" "$tmp/out"'
"$triage" --bug=free_without_grace_period --regressions="$regs" --confirm=1 --dry-run "$input" >"$tmp/out" 2>&1
check "the next triage sweeps the stale temporary" eval '[ ! -e "$regs/.tmp-first-$gone" ]'
rm -rf "$regs/half"

# The scratch folder is removed on an error exit and on SIGTERM / SIGINT.
scratch=$tmp/scratch
mkdir -p "$scratch"
cp -r "$regs/first" "$regs/broken" && sed -i '/^signature: /d' "$regs/broken/case.txt"
TMPDIR=$scratch TEST_TMPDIR=$scratch "$triage" --bug=free_without_grace_period --regressions="$regs" "$input" >/dev/null 2>&1
check "scratch removed on an error exit ($(ls "$scratch"))" eval '[ -z "$(ls -A "$scratch")" ]'
rm -rf "$regs/broken"
# ... and after a case is written (its traced run drew trace.html there).
TMPDIR=$scratch TEST_TMPDIR=$scratch "$triage" --bug=free_without_grace_period --regressions="$tmp/regs4" \
  --confirm=1 "$input" >/dev/null 2>&1
check "scratch removed after writing a case (left: $(ls -A "$scratch"/* 2>/dev/null | tr '\n' ' '))" \
  eval '[ -f "$tmp/regs4/free_without_grace_period/trace.html" ] && [ -z "$(ls -A "$scratch")" ]'
rm -rf "$tmp/regs4" "${scratch:?}"/*
# Job control on: a background job would ignore SIGINT otherwise.
set -m
for sig in TERM INT; do
  TMPDIR=$scratch TEST_TMPDIR=$scratch "$triage" --bug=free_without_grace_period \
    --regressions="$regs" --confirm=1000 --dry-run "$input" >/dev/null 2>&1 &
  pid=$!
  started=0
  for _ in $(seq 100); do
    [ -e "$scratch"/nsfuzz-triage.*/input.bin ] && { started=1; break; }
    sleep 0.1
  done
  kill -"$sig" "$pid"
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null && echo "  SIG$sig did not stop triage"
  wait "$pid"
  rc=$?
  check "scratch removed on SIG$sig (exit $rc; left: $(ls -A "$scratch"))" eval '[ $started = 1 ] && [ $rc -gt 128 ] && [ $rc != 137 ] && [ -z "$(ls -A "$scratch")" ]'
  rm -rf "${scratch:?}"/*
done
set +m

# Paths are taken from BUILD_WORKING_DIRECTORY (bazel run).
mkdir -p "$tmp/wd"
cp "$input" "$tmp/wd/artifact.txt"
(cd / && BUILD_WORKING_DIRECTORY=$tmp/wd "$triage" --bug=free_without_grace_period \
  --regressions=regs3 --confirm=1 artifact.txt) >"$tmp/out" 2>&1
rc=$?
check "BUILD_WORKING_DIRECTORY (exit $rc)" eval '[ $rc = 0 ] && [ -f "$tmp/wd/regs3/free_without_grace_period/case.txt" ]'

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
