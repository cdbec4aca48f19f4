"""Every path from the first message to an end, and walking one path as the preview does."""

from __future__ import annotations

from inmail_studio.ads.conversation.tree import path_to, paths, walk

from .trees import button, find, good_tree, message


def test_every_path_is_listed_in_button_order_with_how_it_ends() -> None:
    listed = paths(good_tree())
    assert [p.choices for p in listed] == [
        ["Marketing", "Get the guide"],
        ["Marketing", "Talk to us"],
        ["Sales", "Get the benchmark"],
        ["Sales", "Talk to us"],
        ["Not interested"],
    ]
    assert [p.ending for p in listed] == ["website", "form", "website", "form", "end"]
    assert listed.paths[0].ending_url == "https://example.com/guide"
    assert not listed.truncated


def test_a_path_is_a_transcript_of_the_senders_messages_and_the_members_choices() -> None:
    path = paths(good_tree()).paths[1]
    assert [s.message["name"] for s in path.steps] == ["Opening", "Marketing", "Form"]
    assert [s.chosen["text"] if s.chosen else None for s in path.steps] == ["Marketing", "Talk to us", None]
    assert path.converts


def test_loops_and_missing_targets_end_a_path_instead_of_running_forever() -> None:
    t = good_tree()
    find(t, "m2")["buttons"].append(button("b8", "Again", "message", "m1"))
    find(t, "m3")["buttons"].append(button("b9", "Nowhere", "message", None))
    endings = {tuple(p.choices): p.ending for p in paths(t)}
    assert endings[("Marketing", "Again")] == "loop"
    assert endings[("Sales", "Nowhere")] == "missing"


def test_path_enumeration_stops_at_the_limit_and_says_so() -> None:
    listed = paths(good_tree(), limit=2)
    assert len(listed) == 2 and listed.truncated


def test_a_tree_without_a_first_message_has_no_paths() -> None:
    t = good_tree()
    t["first"] = None
    assert len(paths(t)) == 0


def test_walking_a_button_shows_the_next_message_with_its_buttons() -> None:
    w = walk(good_tree(), ["b2"])
    assert [s.message["id"] for s in w.steps] == ["m1", "m3"]
    assert w.current is not None and w.current["id"] == "m3"
    assert w.path == ["b2"]


def test_walking_to_a_website_ends_the_walk_with_its_address() -> None:
    w = walk(good_tree(), ["b1", "b4"])
    assert w.ending == "website" and w.ending_url == "https://example.com/guide"
    assert w.current is None


def test_walking_an_unknown_button_stops_where_the_member_is() -> None:
    w = walk(good_tree(), ["b1", "b99", "b4"])
    assert w.current is not None and w.current["id"] == "m2"


def test_the_shortest_path_to_a_message_is_found_for_the_preview() -> None:
    assert path_to(good_tree(), "m4") == ["b1", "b5"]
    assert path_to(good_tree(), "m1") == []
    t = good_tree()
    t["messages"].append(message("m9", "Orphan"))
    assert path_to(t, "m9") == []
