#!/usr/bin/env bash
# Every committed case runs the same on both executor backends (see BUILD):
# the story replay prints, its exit status, and its verdict and finding's
# signature as replay --json gives them. Args: REPLAY (with the catalog).
set -uo pipefail
replay=$1
tmp=${TEST_TMPDIR:-$(mktemp -d)}
cases=0 findings=0 failed=0
shopt -s nullglob
for record in regressions/*/case.txt; do
  dir=${record%/case.txt}
  bug=$(sed -n 's/^bug: //p' "$record")
  flags=()
  [ -n "$bug" ] && flags=(--bug="$bug")
  for backend in threads fibers; do
    # (In a subshell: a run a sanitizer aborts is no news to print.)
    { (NSFUZZ_BACKEND=$backend "$replay" "${flags[@]}" "$dir/program.txt" >"$tmp/$backend.out" 2>"$tmp/$backend.err"); } 2>/dev/null
    echo "exit status $?" >>"$tmp/$backend.out"
    NSFUZZ_BACKEND=$backend "$replay" --json "${flags[@]}" "$dir/program.txt" >"$tmp/$backend.json" 2>/dev/null
  done
  verdict=$(jq -r '.files[0].verdict' "$tmp/fibers.json" 2>/dev/null)
  cases=$((cases + 1))
  if [ "$verdict" != finding ] && [ "$verdict" != no_finding ]; then
    echo "FAIL $dir: replay --json said '$verdict' ($(head -c 300 "$tmp/fibers.json"))"
    failed=$((failed + 1))
  elif ! cmp -s "$tmp/threads.out" "$tmp/fibers.out"; then
    echo "FAIL $dir: the story differs between threads (<) and fibers (>):"
    diff "$tmp/threads.out" "$tmp/fibers.out" | head -n 20
    failed=$((failed + 1))
  elif ! cmp -s "$tmp/threads.json" "$tmp/fibers.json"; then
    echo "FAIL $dir: the verdict differs: threads $(cat "$tmp/threads.json"), fibers $(cat "$tmp/fibers.json")"
    failed=$((failed + 1))
  else
    [ "$verdict" = finding ] && findings=$((findings + 1))
    echo "ok   $dir: $verdict, $(($(wc -l <"$tmp/fibers.out") - 1)) lines of story alike"
  fi
done
echo "$cases cases, $findings with their finding, ran the same on both backends but $failed"
# A build whose sanitizer shows none of them would compare nothing.
[ "$cases" -gt 0 ] && [ "$findings" -gt 0 ] && [ "$failed" -eq 0 ]
