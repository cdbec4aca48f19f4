"""Pages for conversation ads: starting from a template, the tree editor, the walkable preview, all paths.

The editor is one page (`ads/conversation/edit.html`) whose `workspace` partial
is what htmx swaps after each change; without JavaScript every form posts and
redirects back to the same page. The live check (`messages.conversation_check`)
only validates what the message form holds now, without saving it.
"""
