# Shared by the ci/ scripts: source it first, `. "$(dirname "$0")/lib.sh"`.
# It moves to the repository's root (`root`) and names the script for
# messages (`prog`); `. lib.sh --keep-cwd` stays in the caller's folder (for a
# script whose arguments name another repository, as ci/bisect's do).
#
# A script's usage is its header: the comment block from line 2 to the first
# line that is not a comment. `--help` prints it without the `# ` prefixes.
# shellcheck shell=bash
prog=ci/$(basename "$0")
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd) || exit 1
[ "${1:-}" = --keep-cwd ] || cd "$root" || exit 1

# Prints the calling script's header comment as plain text, on stdout.
usage() {
  awk 'NR == 1 { next } !/^#/ { exit } { sub(/^# ?/, ""); print }' "$0"
}

# One-line errors: usage mistakes exit 2, failures exit 1.
die_usage() { echo "$prog: $* (see --help)" >&2; exit 2; }
die() { echo "$prog: $*" >&2; exit 1; }

# need_value FLAG VALUE: a flag that takes a value got one.
need_value() { [ -n "${2:-}" ] || die_usage "$1 needs a value"; }

# need_count FLAG VALUE: a positive whole number.
need_count() {
  [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || die_usage "$1 needs a positive whole number, not '${2:-}'"
}

# need_whole FLAG VALUE: a whole number, 0 included.
need_whole() {
  [[ ${2:-} =~ ^[0-9]+$ ]] || die_usage "$1 needs a whole number, not '${2:-}'"
}

# one_of FLAG VALUE CHOICES...: VALUE is one of CHOICES.
one_of() {
  local flag=$1 value=$2 c
  shift 2
  for c in "$@"; do [ "$value" = "$c" ] && return 0; done
  die_usage "$flag: unknown value '$value' (one of: $*)"
}

# Installs what is missing and configures Bazel (ci/bootstrap), or exits 1.
bootstrap() { "$root/ci/bootstrap" || die "ci/bootstrap failed"; }

# bazel_bin BUILD_FLAGS...: the bazel-bin folder of that configuration.
bazel_bin() { bazel info "$@" bazel-bin 2>/dev/null; }

# bazel_build LOG BUILD_FLAGS_AND_LABELS...: `bazel build`, its output in
# LOG; on failure prints Bazel's errors and LOG's name and exits 1.
bazel_build() {
  local log=$1
  shift
  mkdir -p "$(dirname "$log")" || exit 1
  bazel build --color=no --curses=no "$@" >"$log" 2>&1 && return 0
  grep -E '^(ERROR|FAILED)|error:' "$log" | head -n 20 >&2
  die "bazel build $* failed (log: $log)"
}

# fuzz_targets: the libFuzzer targets of //fuzzers (the X of each X_bin
# cc_binary that is not testonly), one a line, from the BUILD files.
fuzz_targets() {
  bazel query --noshow_progress 'attr(name, "_bin$", kind(cc_binary, //fuzzers:*)) except attr(testonly, 1, //fuzzers:*)' 2>/dev/null |
    sed 's|^//fuzzers:||; s|_bin$||'
}

# libfuzzer_execs LOG: the executions libFuzzer reports in LOG
# (stat::number_of_executed_units, from -print_final_stats=1), or nothing.
libfuzzer_execs() { sed -n 's/^stat::number_of_executed_units: *//p' "$1" | tail -n 1; }

# The tally of a test script: pass/fail/check print one line each, `tally`
# prints the last line, "N passed, N failed", and fails if one failed.
passed=0 failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
check() {  # DESCRIPTION COMMAND...: PASS if the command succeeds
  local d=$1
  shift
  if "$@"; then pass "$d"; else fail "$d"; return 1; fi
}
tally() { echo "$passed passed, $failed failed"; ((failed == 0)); }

# add_tally LOG: adds the last "N passed, N failed" line of another script's
# LOG to this one's; returns 1 if LOG has none.
add_tally() {
  local line
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)
  [ -n "$line" ] || return 1
  local p f
  read -r p _ f _ <<<"$line"
  passed=$((passed + p)) failed=$((failed + f))
}

# Catalogs and signatures come from the C++ tools, never from core/ headers:
# `program_tool list bugs|protocols|sites|ops|mutations` and `triage --signature`.
# A script builds them with the rest of its one `bazel build` and sets
# `tools` to the folder that has them.
tools=''

# catalog NAME: `program_tool list --json NAME` read by key, one entry a
# line, tab-separated columns: bugs name protocol sanitizer doc; protocols
# name; sites name doc; ops name arg_kind doc; mutations name weight doc.
catalog() {
  local keys json
  case $1 in
    bugs) keys='.name, .protocol, .sanitizer, .doc' ;;
    protocols) keys='.name' ;;
    sites) keys='.name, .doc' ;;
    ops) keys='.name, .arg_kind, .doc' ;;
    mutations) keys='.name, .weight, .doc' ;;
    *) die "catalog: no catalog '$1'" ;;
  esac
  json=$("$tools/program_tool" list --json "$1") || die "program_tool list --json $1 failed"
  jq -r ".[] | [$keys] | @tsv" <<<"$json" || die "program_tool list --json $1: not the entries"
}

# known_bug BUG: BUG names a row of core/bugs.def, the catalog's own table.
# Before any build, so that a mistyped --bug costs no build; bug_row (the
# tool's catalog) stays the authority once the tools are built.
known_bug() { grep -qE "^BUG\($1," "$root/core/bugs.def" 2>/dev/null; }

# bug_row BUG: sets bug_protocol and bug_sanitizer from the catalog; fails
# if BUG is not in it.
bug_row() {
  local name doc
  while IFS=$'\t' read -r name bug_protocol bug_sanitizer doc; do
    [ "$name" = "$1" ] && return 0
  done < <(catalog bugs)
  return 1
}

# signature REPORT_FILE: "KIND @ WHERE<tab>SHORT_KIND" of the report's first
# finding (triage --signature); fails, printing nothing, if it has none.
signature() { "$tools/triage" --signature "$1" 2>/dev/null; }
