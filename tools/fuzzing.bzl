"""cc_fuzz_test: rules_fuzzing's naming without rules_fuzzing.

For a fuzz target X:
  X_bin  the fuzzer binary; links libFuzzer under --config=*-libfuzzer,
         the replay engine otherwise.
  X      a test that replays X's corpus (and any extra inputs) once each.
  X_run  `bazel run` it to fuzz: X_bin on a scratch copy of the corpus with
         the dictionary; extra arguments go to libFuzzer.
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
    native.sh_binary(
        name = name + "_run",
        srcs = ["//tools:fuzz_run.sh"],
        data = run_data,
        args = [
            "$(rootpath :%s_bin)" % name,
            "$(rootpaths %s)" % corpus if corpus else "",
            "$(rootpath %s)" % dict if dict else "",
        ],
        **kwargs
    )
