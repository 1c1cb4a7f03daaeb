"""A string-valued command-line build setting (Bazel's own, without skylib)."""

def _string_flag_impl(ctx):
    value = ctx.build_setting_value
    if value not in ctx.attr.values:
        fail("--%s=%s: expected one of %s" % (ctx.label, value, ", ".join(ctx.attr.values)))
    return []

string_flag = rule(
    implementation = _string_flag_impl,
    build_setting = config.string(flag = True),
    attrs = {"values": attr.string_list(mandatory = True)},
)

def _bug_flag_impl(ctx):
    value = ctx.build_setting_value
    defines = []
    if value != "none":
        defines.append("NSFUZZ_BUG_CATALOG")
    if value not in ("none", "all"):
        # core/bugs.h static_asserts that the name is in core/bugs.def.
        defines.append("NSFUZZ_DEFAULT_BUG=\\\"%s\\\"" % value)
    return [CcInfo(compilation_context = cc_common.create_compilation_context(
        defines = depset(defines),
    ))]

# --//core:bug=none|all|NAME: compiles the injected-bug catalog in (all: any
# bug selectable at run time; NAME: that one selected by default). A cc dep.
bug_flag = rule(
    implementation = _bug_flag_impl,
    build_setting = config.string(flag = True),
)

def _drift_flag_impl(ctx):
    value = ctx.build_setting_value
    if value not in ("off", "on"):
        fail("--%s=%s: expected off or on" % (ctx.label, value))
    defines = ["NSFUZZ_SCHED_DRIFT"] if value == "on" else []
    return [CcInfo(compilation_context = cc_common.create_compilation_context(
        defines = depset(defines),
    ))]

# --//core:drift=off|on: compiles core/drift.h's extra schedule points in
# (tests only: the *-drift configs). A cc dep.
drift_flag = rule(
    implementation = _drift_flag_impl,
    build_setting = config.string(flag = True),
)
