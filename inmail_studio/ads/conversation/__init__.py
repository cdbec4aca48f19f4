"""Conversation ads: the tree of messages and buttons (`tree`), its validation, its diagram, the
templates a new conversation starts from, and the writes that change it (`services`)."""
