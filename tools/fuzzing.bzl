"""cc_fuzz_test: rules_fuzzing's naming without rules_fuzzing.

For a fuzz target X:
  X_bin  the fuzzer binary; links libFuzzer under --config=*-libfuzzer,
         the replay engine otherwise.
  X      a test that replays X's corpus (and any extra inputs) once each.
  X_run  `bazel run` it to fuzz: X_bin on a scratch copy of the corpus with
         the dictionary; extra arguments go to libFuzzer
         (`bazel run --config=asan-libfuzzer //fuzzers:X_run -- -runs=1000`).
  X_run_test  runs X_run's script with X_run's arguments and -runs=200
         (tools/fuzz_run_test.sh).
"""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_test")
load("//tools:copts.bzl", "NSFUZZ_COPTS")

def cc_fuzz_test(name, srcs, deps = [], corpus = None, dict = None, regressions = [], local_defines = [], **kwargs):
    cc_binary(
        name = name + "_bin",
        srcs = srcs,
        copts = NSFUZZ_COPTS,
        local_defines = local_defines,
        deps = deps + ["//tools:fuzzing_engine"],
        **kwargs
    )
    inputs = ([corpus] if corpus else []) + regressions
    cc_test(
        name = name,
        srcs = srcs,
        copts = NSFUZZ_COPTS,
        local_defines = local_defines,
        deps = deps + ["//tools:replay_engine"],
        data = inputs,
        args = ["$(rootpaths %s)" % i for i in inputs],
        **kwargs
    )
    run_data = [":" + name + "_bin"] + ([corpus] if corpus else []) + ([dict] if dict else [])

    # tools/fuzz_run.sh BIN [--dict=DICT] [SEED...] -- [the user's flags]:
    # $(rootpaths) gives one argument per seed, and the `--` ends them.
    run_args = ["$(rootpath :%s_bin)" % name]
    if dict:
        run_args.append("--dict=$(rootpath %s)" % dict)
    if corpus:
        run_args.append("$(rootpaths %s)" % corpus)
    run_args.append("--")
    native.sh_binary(
        name = name + "_run",
        srcs = ["//tools:fuzz_run.sh"],
        data = run_data,
        args = run_args,
        **kwargs
    )
    native.sh_test(
        name = name + "_run_test",
        size = "small",
        srcs = ["//tools:fuzz_run_test.sh"],
        data = run_data + ["//tools:fuzz_run.sh"],
        args = ["$(rootpath //tools:fuzz_run.sh)"] + run_args,
        **kwargs
    )
