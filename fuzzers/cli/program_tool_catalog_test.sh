#!/usr/bin/env bash
# `program_tool list CATALOG` prints every entry of its table, in table
# order, with every column (read here from the table files themselves), and
# `list --json CATALOG` the same entries as objects keyed by the column
# names (jq reads them back); `program_tool dict` is what corpus/nsproxy_fuzzer.dict holds (regenerate
# it with `bazel run //fuzzers/cli:program_tool -- dict`).
# Args: PROGRAM_TOOL BUGS_DEF PROTOCOL_H SITES_DEF OPS_DEF MUTATIONS_DEF DICT
set -uo pipefail
tool=$1 bugs_def=$2 protocols_def=$3 sites_def=$4 ops_def=$5 mutations_def=$6 dict=$7
bzl_protocols=$8  # tools/protocols.bzl, comma-separated
tmp=${TEST_TMPDIR:-$(mktemp -d)}
passed=0 failed=0

# same NAME EXPECTED_FILE COMMAND...: the command prints exactly the file.
same() {
  local name=$1 want=$2
  shift 2
  if "$@" >"$tmp/got" 2>"$tmp/err" && [ ! -s "$tmp/err" ] && [ -s "$want" ] &&
    diff -u "$want" "$tmp/got" >"$tmp/diff"; then
    echo "ok   $name ($(wc -l <"$want") lines)"
    passed=$((passed + 1))
  else
    echo "FAIL $name"
    sed 's/^/  | /' "$tmp/diff" "$tmp/err"
    failed=$((failed + 1))
  fi
}

# The X-macro rows of a .def file (a row may span lines), one a line, their
# arguments tab-separated, the string's quotes dropped.
rows() {  # MACRO FILE
  grep -v '^//' "$2" | tr '\n' ' ' | grep -oE "$1\([^\"]*\"[^\"]*\"\)" |
    sed -E "s/^$1\(//; s/\"\)\$//" |
    awk -F'"' '{ args = $1; sub(/, *$/, "", args); gsub(/, */, "\t", args); print args "\t" $2 }'
}

rows BUG "$bugs_def" >"$tmp/bugs"
same "list bugs: name protocol sanitizer doc" "$tmp/bugs" "$tool" list bugs
rows PROTOCOL "$protocols_def" | cut -f1 >"$tmp/protocols"
same "list protocols" "$tmp/protocols" "$tool" list protocols
tr , '\n' <<<"$bzl_protocols" >"$tmp/bzl_protocols"
same "tools/protocols.bzl is protocols.def" "$tmp/bzl_protocols" "$tool" list protocols
rows SITE "$sites_def" >"$tmp/sites"
same "list sites: name doc" "$tmp/sites" "$tool" list sites
rows OP "$ops_def" >"$tmp/ops"
same "list ops: name arg-kind doc" "$tmp/ops" "$tool" list ops
rows MUTATION "$mutations_def" >"$tmp/mutations"
same "list mutations: name weight doc" "$tmp/mutations" "$tool" list mutations
same "corpus/nsproxy_fuzzer.dict is program_tool dict" "$dict" "$tool" dict

# list --json: the same entries as data, keyed by the column names; a
# weight is a number. jq writes them back as the lines.
for c in bugs protocols sites ops mutations; do
  "$tool" list "$c" >"$tmp/$c.tsv"
  same "list --json $c: the lines as objects" "$tmp/$c.tsv" \
    bash -c '"$1" list --json "$2" | jq -r ".[] | [.[]] | @tsv"' _ "$tool" "$c"
done
"$tool" list bugs --json | jq -r '.[] | [.name, .protocol, .sanitizer, .doc] | @tsv' >"$tmp/bug_keys"
same "list bugs --json (the flag after CATALOG): keys name protocol sanitizer doc" "$tmp/bug_keys" "$tool" list bugs
"$tool" list ops --json | jq -r '.[] | [.name, .arg_kind, .doc] | @tsv' >"$tmp/ops_keys"
same "list ops --json: keys name arg_kind doc" "$tmp/ops_keys" "$tool" list ops
"$tool" list mutations --json | jq -r '.[] | [.name, (.weight | type), .doc] | @tsv' >"$tmp/mutation_types"
sed -E 's/\t[0-9]+\t/\tnumber\t/' "$tmp/mutations.tsv" >"$tmp/want_types"
same "list mutations --json: weight a number" "$tmp/want_types" cat "$tmp/mutation_types"

"$tool" list nothing >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" = 2 ] && [ ! -s "$tmp/out" ] && grep -q "^program_tool: list: expected bugs" "$tmp/err"; then
  echo "ok   list of an unknown catalog: usage error"
  passed=$((passed + 1))
else
  echo "FAIL list of an unknown catalog: exit $rc"
  failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
((failed == 0))
