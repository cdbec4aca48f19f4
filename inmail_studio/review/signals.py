"""What the review room announces to the rooms above it, which subscribe in their `AppConfig.ready()`.

The review room never imports LinkedIn: an approval is announced, and LinkedIn queues the sync
of the approved revision. Receivers run synchronously, inside the transaction that recorded the
decision, so the sync's outbox row commits with the approval or not at all.
"""

from django.dispatch import Signal

# Sent by `review.services.approve` inside its transaction, with `ad` (locked), `revision_id`
# (the approved revision) and `approver`. An exception in a receiver rolls the approval back.
approved = Signal()
