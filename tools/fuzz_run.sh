#!/usr/bin/env bash
# Runs a fuzz target's X_bin on a writable copy of its seed corpus, with its
# dictionary: what `bazel run //fuzzers:X_run -- [libFuzzer flags]` does.
#
#   fuzz_run.sh BIN [--dict=DICT] [SEED...] -- [libFuzzer flags or folders...]
#
# The macro (tools/fuzzing.bzl) passes BIN, DICT and SEEDs; the `--` ends
# them, and what follows is the user's, forwarded to BIN as given (relative
# paths are taken from the folder `bazel run` was called in). FUZZ_WORKDIR
# (default: a fresh temporary folder, printed) receives the corpus copy and
# any crash artifacts.
set -uo pipefail
die_usage() { echo "fuzz_run: $* (usage: fuzz_run.sh BIN [--dict=DICT] [SEED...] -- [FLAGS...])" >&2; exit 2; }

(($#)) || die_usage "no BIN"
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
bin=$(abs "$1")
shift
dict='' seeds=()
while (($#)) && [ "$1" != -- ]; do
  case $1 in
    --dict=*) dict=$(abs "${1#--dict=}") ;;
    -*) die_usage "unknown option '$1' before --" ;;
    *) seeds+=("$(abs "$1")") ;;
  esac
  shift
done
(($#)) || die_usage "no -- after the seeds"
shift
[ -x "$bin" ] || die_usage "BIN '$bin' is not an executable"

work=${FUZZ_WORKDIR:-}
if [ -z "$work" ]; then
  work=$(mktemp -d "${TMPDIR:-/tmp}/nsfuzz-run.XXXXXX") || exit 1
fi
mkdir -p "$work/corpus" "$work/artifacts" || exit 1
work=$(cd "$work" && pwd)
# Seeds of the same name (from different folders) keep the first.
for f in "${seeds[@]}"; do
  [ -e "$work/corpus/${f##*/}" ] || cp "$f" "$work/corpus/" || exit 1
done
flags=(-artifact_prefix="$work/artifacts/")
[ -n "$dict" ] && flags+=(-dict="$dict")
echo "fuzz_run: ${#seeds[@]} seed(s)${dict:+, dictionary ${dict##*/}}; corpus and artifacts in $work" >&2
# The user's arguments are relative to where they ran `bazel run`.
cd "${BUILD_WORKING_DIRECTORY:-.}" || exit 1
exec "$bin" "${flags[@]}" "$@" "$work/corpus"
