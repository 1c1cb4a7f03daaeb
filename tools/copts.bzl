"""The project's compiler flags in one place (besides .bazelrc's configs)."""

# Our own code: warnings are errors.
NSFUZZ_COPTS = [
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wno-unused-parameter",
    "-Wno-missing-field-initializers",
]

# The executor's hand-off: built without TSan instrumentation (so that it adds
# no happens-before edge between workers and hides no race of the code under
# test) and without coverage instrumentation (so that scheduling noise is not
# coverage feedback).
UNINSTRUMENTED_COPTS = [
    "-fno-sanitize=thread",
    "-fno-sanitize-coverage=inline-8bit-counters,indirect-calls,trace-cmp,pc-table",
]

# Linked into *_bin fuzz targets under --//tools:fuzz_engine=libfuzzer.
LIBFUZZER_LINKOPTS = ["-fsanitize=fuzzer"]

# Coverage instrumentation for libFuzzer, for the test-only bug-catalog core
# that //fuzzers:find_every_bug_test fuzzes in every config (the *-libfuzzer
# configs turn it on everywhere instead). The sanitizer runtimes provide the
# callbacks when libFuzzer is not linked.
FUZZ_COVERAGE_COPTS = ["-fsanitize=fuzzer-no-link"]
