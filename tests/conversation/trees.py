"""Hand-made trees for the validator, paths and payload tests: a small builder, no database."""

from __future__ import annotations

from typing import Any

_END = "end"


def button(
    bid: str, text: str, action: str = "message", target: str | None = None, url: str = ""
) -> dict[str, Any]:
    return {"id": bid, "text": text, "action": action, "target": target, "url": url}


def message(
    mid: str,
    name: str,
    body: str = "<p>Hello</p>",
    *buttons: dict[str, Any],
    kind: str = "text",
    form_urn: str = "",
) -> dict[str, Any]:
    return {
        "id": mid,
        "name": name,
        "kind": kind,
        "body": body if kind == "text" else "",
        "form_urn": form_urn,
        "buttons": list(buttons),
    }


def tree(*messages: dict[str, Any], first: str | None = "m1", lead_gen: bool = False) -> dict[str, Any]:
    return {"lead_gen": lead_gen, "first": first, "messages": list(messages)}


def good_tree() -> dict[str, Any]:
    """Opening question with a polite exit, two follow-ups, a website and a form: no problems at all."""
    return tree(
        message(
            "m1",
            "Opening",
            "<p>Hi %FIRSTNAME%, which describes you?</p>",
            button("b1", "Marketing", "message", "m2"),
            button("b2", "Sales", "message", "m3"),
            button("b3", "Not interested", "end"),
        ),
        message(
            "m2",
            "Marketing",
            "<p>Here is the guide.</p>",
            button("b4", "Get the guide", "website", url="https://example.com/guide"),
            button("b5", "Talk to us", "lead_form", "m4"),
        ),
        message(
            "m3",
            "Sales",
            "<p>Here is the benchmark.</p>",
            button("b6", "Get the benchmark", "website", url="https://example.com/bench"),
            button("b7", "Talk to us", "lead_form", "m4"),
        ),
        message("m4", "Form", kind="form", form_urn="urn:li:adForm:42"),
        lead_gen=True,
    )


def find(tree_: dict[str, Any], mid: str) -> dict[str, Any]:
    return next(m for m in tree_["messages"] if m["id"] == mid)
