"""Targets that exist twice: over the normal core and over the bug catalog."""

def with_bug_catalog(rule, name, deps, catalog_deps, catalog_visibility = None, **kwargs):
    """Declares `name` over `deps` and `name`_bug_catalog over `catalog_deps`.

    The second is testonly: the injected-bug catalog never reaches a normal
    binary (core/bugs.h). Other arguments go to both.
    """
    rule(name = name, deps = deps, **kwargs)
    kwargs.pop("visibility", None)
    rule(
        name = name + "_bug_catalog",
        testonly = True,
        deps = catalog_deps,
        visibility = catalog_visibility,
        **kwargs
    )
