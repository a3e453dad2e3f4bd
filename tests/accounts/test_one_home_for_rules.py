"""Who may act is decided in accounts/policies.py, and the arithmetic of division codes in regions/codes.py.

This test reads the application code and fails on a role test or a region-code computation written
anywhere else, naming the file and line, so a new copy of a rule is caught before it drifts.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Every Django app of the project (a folder with apps.py) and the project package: a new app is read too.
APPS = sorted({p.parent.name for p in ROOT.glob("*/apps.py")} | {"portal"})

# The homes of the rules themselves, and the role facts of the user model they build on.
HOMES = {"accounts/policies.py", "regions/codes.py"}
ROLE_FACTS = {"accounts/models.py"}

RULES = [
    ("an inline role comparison", re.compile(r"\.role\s*(==|!=|\bin\b)"), HOMES | ROLE_FACTS),
    ("a role property instead of a policy predicate",
     re.compile(r"(?<!policies)\.(is_system_admin|is_official|is_institution_staff|oversees_cities|official_level)\b"),
     HOMES | ROLE_FACTS),
    ("the length of a region code", re.compile(r"len\(\s*[\w.\[\]\"']*(region|scope|area)[\w.]*\s*\)"), HOMES),
    ("a slice of a region code", re.compile(r"[\w.]*(region|scope|area|city|county|province)[\w.]*\)?\[:\d+\]"),
     HOMES),
    ("a table of code lengths", re.compile(r"\{\s*2\s*:\s*4\s*,"), HOMES),
]


def _application_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or path.name == "demo.py":
                continue
            yield relative, path.read_text(encoding="utf-8")


def test_no_role_test_or_code_arithmetic_outside_the_policy_module():
    found = []
    for relative, text in _application_files():
        for number, line in enumerate(text.splitlines(), start=1):
            for what, pattern, allowed in RULES:
                if relative not in allowed and pattern.search(line):
                    found.append(f"{relative}:{number}: {what}: {line.strip()}")
    assert not found, "Use accounts.policies / regions.codes instead:\n" + "\n".join(found)


def test_every_app_is_read():
    assert {"accounts", "filings", "supervision", "portal"} <= set(APPS)
    assert "tests" not in APPS


def test_the_check_finds_what_it_looks_for():
    samples = ['if user.role == "official":', "if actor.is_system_admin:", "len(user.region_id) == 6",
               "institution.region_id[:6]", "NEXT = {2: 4, 4: 6}"]
    for sample, (_, pattern, _allowed) in zip(samples, RULES, strict=True):
        assert pattern.search(sample), sample
    assert not RULES[1][1].search("policies.is_official(user)")


# A page action that redirects shows its form's errors and the service's refusal through
# portal.forms.flash_action / flash_form_errors; a view writing the loop over form errors again is a copy.
FORM_ERRORS_LOOP = re.compile(r"for (\w+), (\w+) in form\.errors\.items\(\):|for errors in form\.errors\.values\(\):")


def test_form_errors_are_flashed_by_one_helper():
    found = [f"{relative}:{number}: {line.strip()}"
             for relative, text in _application_files() if relative != "portal/forms.py"
             for number, line in enumerate(text.splitlines(), start=1) if FORM_ERRORS_LOOP.search(line)]
    assert not found, "Use portal.forms.flash_action / flash_form_errors:\n" + "\n".join(found)
    assert FORM_ERRORS_LOOP.search("    for field, errors in form.errors.items():")
