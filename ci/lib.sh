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
