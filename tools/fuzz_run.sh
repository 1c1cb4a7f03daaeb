#!/usr/bin/env bash
# Runs a fuzz target's X_bin on a writable copy of its corpus.
# Usage (via `bazel run //fuzzers:X_run -- [libFuzzer flags]`):
#   fuzz_run.sh BIN "CORPUS_FILES" DICT [libFuzzer flags...]
# FUZZ_WORKDIR (default: a fresh temporary folder) receives the corpus copy
# and any crash artifacts.
set -euo pipefail
bin=$1 corpus=$2 dict=$3
shift 3
work=${FUZZ_WORKDIR:-$(mktemp -d "${TMPDIR:-/tmp}/nsfuzz.XXXXXX")}
mkdir -p "$work/corpus" "$work/artifacts"
for f in $corpus; do cp -n "$f" "$work/corpus/" 2>/dev/null || true; done
flags=(-artifact_prefix="$work/artifacts/")
[ -n "$dict" ] && flags+=(-dict="$dict")
echo "fuzz_run: corpus and artifacts in $work" >&2
exec "$bin" "${flags[@]}" "$@" "$work/corpus"
