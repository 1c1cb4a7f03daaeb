#!/usr/bin/env bash
# search_power.py against a fixture: the table and ratios that ci/bench's
# awk printed for testdata/time_to_bug.csv (its last version, kept as
# testdata/search_power.txt), and ci/bug-hunt's medians.
# Args: SCRIPT CSV RACY EXPECTED.
set -uo pipefail
script=$1 csv=$2 racy=$3 expected=$4
passed=0 failed=0
check() {  # description, condition...
  local what=$1
  shift
  if "$@"; then echo "ok   $what"; passed=$((passed + 1)); else echo "FAIL $what"; failed=$((failed + 1)); fi
}
got=$(python3 "$script" table "$csv" "$racy")
check "table and ratios as expected" [ "$got" = "$(cat "$expected")" ] ||
  diff <(echo "$got") "$expected" | sed 's/^/  | /'
check "median: none last" [ "$(printf '5\nnone\n3\n' | python3 "$script" median)" = 5 ]
check "median: of four, the lower middle" [ "$(printf '4\n1\n3\n2\n' | python3 "$script" median)" = 2 ]
check "median: none when most are none" [ "$(printf 'none\nnone\n7\n' | python3 "$script" median)" = 999999999 ]
check "median: printed as it came" [ "$(printf '0.120\n0.100\n9\n' | python3 "$script" median)" = 0.120 ]
python3 "$script" bogus 2>/dev/null
check "usage error: exit 2" [ $? = 2 ]
echo "$passed passed, $failed failed"
((failed == 0))
