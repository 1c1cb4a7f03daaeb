#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build script: compiles the fuzz targets directly
# with $CXX $CXXFLAGS (no Bazel in the OSS-Fuzz images) and puts into $OUT,
# for each target: the binary, <target>_seed_corpus.zip, <target>.dict and
# <target>.options.
#
#   build.sh [--sources]   (--sources: print the .cc files it compiles)
# Environment (set by OSS-Fuzz / ClusterFuzzLite, or by ci/cflite_test):
#   CC CXX CFLAGS CXXFLAGS LIB_FUZZING_ENGINE OUT SRC SANITIZER [WORK]
# The sources are the current folder if it is this repository (the
# Dockerfile's WORKDIR), else $SRC/nsfuzz.
#
# Mirrors the Bazel targets of fuzzers/*/BUILD and core/BUILD: the executor
# (fuzzers/exec/{executor,fiber,handoff,schedule}.cc) is built without TSan and without
# fuzzing-coverage instrumentation (tools/copts.bzl UNINSTRUMENTED_COPTS);
# everything else with the full flags. liburcu is linked statically when its
# archives exist, since the OSS-Fuzz runner image has no liburcu.

if [ -f fuzzers/nsproxy_fuzzer.cc ] && [ -f core/nsproxy.cc ]; then
  root=$PWD
else
  root=$SRC/nsfuzz
fi
cd "$root"

# What it compiles: the sources of the Bazel targets (ci/cflite_test checks
# `build.sh --sources` against `bazel query`).
lib_srcs=(
  core/uapi.cc core/sched.cc
  core/finding.cc core/namespaces.cc core/nsproxy.cc core/rcu.cc core/spinlock.cc core/world.cc
  fuzzers/program/decoder.cc fuzzers/mutate/mutator.cc fuzzers/program/program_text.cc fuzzers/program/validate.cc
  fuzzers/runs_file.cc
)
executor_srcs=(fuzzers/exec/executor.cc fuzzers/exec/fiber.cc fuzzers/exec/handoff.cc fuzzers/exec/schedule.cc)
other_srcs=(fuzzers/exec/sanitizer_options.cc fuzzers/decoder_fuzzer.cc fuzzers/nsproxy_fuzzer.cc)
if [ "${1:-}" = --sources ]; then
  printf '%s\n' "${lib_srcs[@]}" "${executor_srcs[@]}" "${other_srcs[@]}"
  exit 0
fi

: "${CC:?}" "${CXX:?}" "${LIB_FUZZING_ENGINE:?}" "${OUT:?}"
CFLAGS=${CFLAGS:-} CXXFLAGS=${CXXFLAGS:-}
mkdir -p "$OUT"
build=$(mktemp -d "${WORK:-${TMPDIR:-/tmp}}/nsfuzz-build.XXXXXX")
trap 'rm -rf "$build"' EXIT

# The project's warnings (tools/copts.bzl NSFUZZ_COPTS) without -Werror:
# OSS-Fuzz's clang is not the pinned clang-19.
common=(-std=c++20 -I"$root" -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers)
read -ra cxxflags <<<"$CXXFLAGS"

# $CXXFLAGS without TSan and without fuzzing-coverage instrumentation.
uninstrumented=()
for f in "${cxxflags[@]}"; do
  case $f in
    -fsanitize=*)
      keep=()
      IFS=, read -ra parts <<<"${f#-fsanitize=}"
      for p in "${parts[@]}"; do
        case $p in thread | fuzzer-no-link | fuzzer) ;; *) keep+=("$p") ;; esac
      done
      if ((${#keep[@]})); then uninstrumented+=("-fsanitize=$(IFS=,; echo "${keep[*]}")"); fi
      ;;
    -fsanitize-coverage=* | -fsanitize-coverage-*) ;;
    *) uninstrumented+=("$f") ;;
  esac
done

# compile SRC OBJ [extra flags...]: with the full flags, or the
# uninstrumented ones when UNINSTRUMENTED=1. Runs in the background.
jobs_max=$(nproc 2>/dev/null || echo 2)
compile() {
  local src=$1 obj=$2
  shift 2
  local flags=("${cxxflags[@]}")
  if [ "${UNINSTRUMENTED:-0}" = 1 ]; then flags=("${uninstrumented[@]}"); fi
  while (($(jobs -rp | wc -l) >= jobs_max)); do wait -n || true; done
  if [ "${UNINSTRUMENTED:-0}" = 1 ]; then
    echo "build.sh: $CXX ${flags[*]} (uninstrumented) -c $src" >&2
  else
    echo "build.sh: $CXX \$CXXFLAGS -c $src" >&2
  fi
  { "$CXX" "${flags[@]}" "${common[@]}" "$@" -c "$src" -o "$obj" ||
    echo "$src" >>"$build/failed"; } &
}

mapfile -t protocols < <(sed -n -E 's/^PROTOCOL\(([a-z0-9_]+),.*/\1/p' core/protocols.def)

lib_objs=()
for s in "${lib_srcs[@]}"; do
  o=$build/$(echo "${s%.cc}" | tr / _).o
  compile "$s" "$o"
  lib_objs+=("$o")
done
for s in "${executor_srcs[@]}"; do
  o=$build/$(echo "${s%.cc}" | tr / _).o
  UNINSTRUMENTED=1 compile "$s" "$o"
  lib_objs+=("$o")
done
compile fuzzers/exec/sanitizer_options.cc "$build/sanitizer_options.o"
compile fuzzers/decoder_fuzzer.cc "$build/decoder_fuzzer.o"
compile fuzzers/nsproxy_fuzzer.cc "$build/nsproxy_fuzzer.o"
for p in "${protocols[@]}"; do
  compile fuzzers/nsproxy_fuzzer.cc "$build/nsproxy_${p}_fuzzer.o" "-DNSFUZZ_FUZZ_PROTOCOL=\"$p\""
done
wait
if [ -s "$build/failed" ]; then
  echo "build.sh: compile failed:" $(cat "$build/failed") >&2
  exit 1
fi

rm -f "$build/libnsfuzz.a"
ar rcs "$build/libnsfuzz.a" "${lib_objs[@]}"

# liburcu (memb flavor): the static archives if the compiler finds them.
urcu=()
for l in urcu-memb urcu-common; do
  a=$("$CC" -print-file-name="lib$l.a")
  if [ -f "$a" ]; then urcu+=("$a"); else urcu+=("-l$l"); fi
done

link() {
  local name=$1
  shift
  echo "build.sh: linking $OUT/$name" >&2
  "$CXX" "${cxxflags[@]}" "$@" "$build/libnsfuzz.a" $LIB_FUZZING_ENGINE \
    "${urcu[@]}" -pthread -o "$OUT/$name"
}

fuzzers=(decoder_fuzzer nsproxy_fuzzer)
link decoder_fuzzer "$build/decoder_fuzzer.o"
link nsproxy_fuzzer "$build/nsproxy_fuzzer.o" "$build/sanitizer_options.o"
for p in "${protocols[@]}"; do
  link "nsproxy_${p}_fuzzer" "$build/nsproxy_${p}_fuzzer.o" "$build/sanitizer_options.o"
  fuzzers+=("nsproxy_${p}_fuzzer")
done

# Seeds, dictionary and libFuzzer options: one shared set for all targets.
# max_len: the byte form is at most 616 bytes (fuzzers/program/decoder.h
# kMaxEncodedSize); the text form of a Program is longer.
for f in "${fuzzers[@]}"; do
  rm -f "$OUT/${f}_seed_corpus.zip"
  zip -q -j "$OUT/${f}_seed_corpus.zip" corpus/nsproxy_fuzzer/*.txt
  cp corpus/nsproxy_fuzzer.dict "$OUT/$f.dict"
  cat >"$OUT/$f.options" <<OPTIONS
[libfuzzer]
dict = $f.dict
max_len = 1024
OPTIONS
done
echo "build.sh: built ${fuzzers[*]} into $OUT" >&2
