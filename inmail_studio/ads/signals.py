"""What the ads room announces to the rooms above it, which subscribe in their `AppConfig.ready()`.

The ads room never imports review or LinkedIn: an edit is announced, and whoever cares about
edits (the review workflow voids an approval) listens. Receivers run synchronously, inside the
transaction that wrote the revision, so what they write commits or rolls back with the edit.
"""

from django.dispatch import Signal

# Sent by `ads.services` after an edit wrote a new revision, inside its transaction, with
# `ad` (locked), `editor` (the User who saved) and `revision` (the new one). An exception in a
# receiver rolls the edit back.
content_changed = Signal()
