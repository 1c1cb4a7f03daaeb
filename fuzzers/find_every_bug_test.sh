#!/usr/bin/env bash
# Every injected bug of core/bugs.def is found by the nsproxy fuzz target
# (libFuzzer, with the bug catalog) from the seed corpus within a bounded
# number of executions, and its crashing input then reproduces the same
# finding 20 times out of 20.
#
# Args: HUNTER PROGRAM_TOOL CORPUS_FILE... ; env BOUND (default 100000).
# The bugs and the sanitizer that sees each: `PROGRAM_TOOL list --json bugs`.
set -uo pipefail
hunter=$1 program_tool=$2
shift 2
bound=${BOUND:-100000}
tmp=${TEST_TMPDIR:-$(mktemp -d)}
tsan=0  # TSan's runtime is linked statically: its messages are in the binary
grep -q -a 'WARNING: ThreadSanitizer' "$hunter" && tsan=1

# ASLR off and no timed reload: libFuzzer's tables are keyed by PC, so with
# ASLR on the same -seed takes another path each run and the executions to
# a bug vary (a flaky bound). Off, a campaign is the same every run of the
# same binary (fuzz_reproducible_test checks it). No RSS watchdog either: its
# thread's start races with the first inputs (see ci/bug-hunt).
no_aslr=(setarch -R)
"${no_aslr[@]}" true 2>/dev/null || no_aslr=()

passed=0 failed=0
while IFS=$'\t' read -r bug protocol sanitizer _; do
  [ "$protocol" = all ] && protocol=rcu_2007
  if [ "$sanitizer" = tsan ] && [ "$tsan" = 0 ]; then
    echo "SKIP $bug: only TSan sees it"
    continue
  fi
  rm -rf "$tmp/corpus" "$tmp/art"; mkdir -p "$tmp/corpus" "$tmp/art"
  cp "$@" "$tmp/corpus/"
  NSFUZZ_BUG=$bug NSFUZZ_PROTOCOL=$protocol "${no_aslr[@]}" "$hunter" -seed=1 -reload=0 -rss_limit_mb=0 -runs="$bound" \
    -print_final_stats=1 -artifact_prefix="$tmp/art/" "$tmp/corpus" \
    >"$tmp/log" 2>&1
  artifact=$(ls "$tmp/art" | head -n1)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tmp/log")
  if [ -z "$artifact" ]; then
    echo "FAIL $bug: not found within $bound executions"
    failed=$((failed + 1))
    continue
  fi
  summary=$(grep -m1 '^SUMMARY: ' "$tmp/log")
  same=0
  for i in $(seq 20); do
    NSFUZZ_BUG=$bug NSFUZZ_PROTOCOL=$protocol "$hunter" "$tmp/art/$artifact" \
      >"$tmp/replay" 2>&1
    [ "$(grep -m1 '^SUMMARY: ' "$tmp/replay")" = "$summary" ] && same=$((same + 1))
  done
  if [ "$same" = 20 ]; then
    echo "ok   $bug: found after $execs executions; replayed 20/20: $summary"
    passed=$((passed + 1))
  else
    echo "FAIL $bug: found after $execs executions, but replayed $same/20 the same"
    failed=$((failed + 1))
  fi
done < <("$program_tool" list --json bugs | jq -r '.[] | [.name, .protocol, .sanitizer] | @tsv')
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
