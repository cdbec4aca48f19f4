from __future__ import annotations

from inmail_studio.ads import macros

MEMBER = {
    "first_name": "Priya",
    "last_name": "Raman",
    "company": "Northwind",
    "job_title": "VP",
    "industry": "Software",
}


def test_macros_are_filled_for_a_member() -> None:
    text = "%FIRSTNAME% %LASTNAME% at %COMPANYNAME%, %JOBTITLE% in %INDUSTRY%"
    assert macros.fill_text(text, MEMBER) == "Priya Raman at Northwind, VP in Software"


def test_missing_values_use_linkedins_fallbacks() -> None:
    text = "%FIRSTNAME%|%LASTNAME%|%COMPANYNAME%|%JOBTITLE%|%INDUSTRY%"
    assert macros.fill_text(text, {}) == "LinkedIn Member|LinkedIn Member|your company|professional|industry"


def test_lower_case_macros_are_not_replaced_and_are_flagged() -> None:
    assert macros.fill_text("Hi %firstname%", MEMBER) == "Hi %firstname%"
    [problem] = macros.find_problems("Hi %firstname%")
    assert problem.token == "%firstname%"
    assert "%FIRSTNAME%" in problem.message


def test_unknown_macros_are_flagged() -> None:
    [problem] = macros.find_problems("Dear %TITLE% %FIRSTNAME%")
    assert problem.token == "%TITLE%"
    assert "not a LinkedIn macro" in problem.message


def test_percentages_are_not_macros() -> None:
    assert macros.find_problems("Save 50% or 20 % today") == []


def test_member_values_cannot_inject_markup_into_the_body() -> None:
    filled = macros.fill_html("<p>Hi %FIRSTNAME%</p>", {"first_name": "<script>alert(1)</script>"})
    assert filled == "<p>Hi &lt;script&gt;alert(1)&lt;/script&gt;</p>"
