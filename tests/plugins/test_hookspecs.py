"""Every hook is documented, Datasette-style: a hook whose docstring is missing, skips one of
its arguments or does not say whether the first answer wins fails here."""
import re
import types

import pluggy

from guestrel.plugins import hookspecs


def _specs(module):
    manager = pluggy.PluginManager("guestrel")
    manager.add_hookspecs(module)
    return [caller.spec for caller in manager.hook.__dict__.values() if isinstance(caller, pluggy.HookCaller)]


def documentation_problems(module) -> list[str]:
    problems = []
    for spec in _specs(module):
        doc = spec.function.__doc__ or ""
        if not doc.strip():
            problems.append(f"{spec.name} has no docstring")
            continue
        for argument in spec.argnames:
            if not re.search(rf"\b{argument}\b", doc):
                problems.append(f"{spec.name} does not document its argument {argument}")
        if not spec.argnames and "Arguments: none" not in doc:
            problems.append(f"{spec.name} does not say it takes no arguments")
        first_wins = spec.opts.get("firstresult", False)
        says = "the first answer wins" if first_wins else "the first answer does not win"
        if says not in doc.lower():
            problems.append(f"{spec.name} does not say {says!r}")
    return problems


def test_every_hook_documents_each_argument_and_whether_the_first_answer_wins():
    specs = _specs(hookspecs)
    assert {spec.name for spec in specs} >= {"register_adapters", "register_blueprints", "stay_checked_in"}
    assert documentation_problems(hookspecs) == []


def test_the_documentation_check_catches_an_undocumented_hook_and_an_undocumented_argument():
    hookspec = pluggy.HookspecMarker("guestrel")
    module = types.ModuleType("careless_hookspecs")

    @hookspec
    def silent_hook(stay_id):
        pass

    @hookspec
    def half_documented(stay_id, guest_id):
        """Called with stay_id; the first answer does not win."""

    @hookspec(firstresult=True)
    def first_wins(guest_id):
        """guest_id: the guest. The first answer does not win."""

    module.silent_hook, module.half_documented, module.first_wins = silent_hook, half_documented, first_wins
    assert sorted(documentation_problems(module)) == [
        "first_wins does not say 'the first answer wins'",
        "half_documented does not document its argument guest_id",
        "silent_hook has no docstring",
    ]
