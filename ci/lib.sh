# Shared by the ci/ scripts: source it first, `. "$(dirname "$0")/lib.sh"`.
# It moves to the repository's root and names the script for messages.
#
# A script's usage is its header: the comment block from line 2 to the first
# line that is not a comment. `--help` prints it without the `# ` prefixes.
# shellcheck shell=bash
prog=ci/$(basename "$0")
cd "$(dirname "$0")/.." || exit 1

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

# bazel_bin BUILD_FLAGS...: the bazel-bin folder of that configuration.
bazel_bin() { bazel info "$@" bazel-bin 2>/dev/null; }
