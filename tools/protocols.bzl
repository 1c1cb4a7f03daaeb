"""The protocols of core/protocols.def, for BUILD files.

Starlark cannot read the .def; //fuzzers/cli:program_tool_catalog_test fails
when this list and `program_tool list protocols` differ.
"""

PROTOCOLS = [
    "task_lock_2007",
    "rcu_2007",
    "task_lock_2014",
]
