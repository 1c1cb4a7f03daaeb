#!/usr/bin/env bash
# Bad input to the triage tool: one clear error line, a non-zero exit, and
# nothing on disk changed. Args: TRIAGE INPUT (a Program that finds
# free_without_grace_period).
set -uo pipefail
triage=$1 input=$2
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
  if [ "$rc" = "$want" ] && [ "$lines" = 1 ] && grep -q -E "$pattern" "$tmp/err" &&
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
expect "missing artifact" 2 "missing.bin: cannot read" \
  "$triage" --regressions="$regs" "$tmp/missing.bin"
printf '# nsfuzz program v1\nprotocol rcu_2007\nthreads 9\n' >"$tmp/bad.txt"
expect "malformed program" 2 "bad.txt: line 3" \
  "$triage" --regressions="$regs" "$tmp/bad.txt"
# The same finding recorded for another bug is not a duplicate: triage
# minimizes it and then must refuse to write over the existing folder.
sed -i 's/^bug: .*/bug: double_put_on_exit/' "$regs/first/case.txt"
expect "existing case" 1 "first exists already; not overwriting it" \
  "$triage" --bug=free_without_grace_period --regressions="$regs" \
  --name=first --confirm=1 "$input"

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
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
