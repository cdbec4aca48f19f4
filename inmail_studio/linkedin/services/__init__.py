"""Writes for the LinkedIn integration: connecting, importing, syncing, test sends and launch.

External calls happen here through `client.LinkedIn` only, never inside a database
transaction that holds a row lock longer than it takes to claim work. Every sync is
a `SyncAttempt` (an outbox row) claimed under a lease, so a duplicate delivery, a
retry after a timeout or a worker killed mid-task can't push the same thing twice.

One module per job (connection, catalog, sync and its steps, test send, launch, imports,
recovery), over the outbox machinery they share; the package exports each job's public
functions, so callers write `services.sync_request(...)` wherever the function lives.
"""

from .catalog import (
    PERMISSION_STATES,
    AdAccount,
    account_choose,
    accounts_available,
    campaign_choose,
    campaigns_import,
    permission_of,
    sender_permissions,
    senders_import,
)
from .common import ACCOUNT_URN, CAMPAIGN_URN, NotConnected, SyncRefused
from .connection import (
    FEATURE_SCOPES,
    Disconnected,
    client_for,
    connection_disconnect,
    connection_mark,
    connection_store,
    feature_unavailable,
    member_identify,
    missing_scopes,
    sync_blocker,
    token_refresh,
    tokens_refresh_due,
)
from .imports import contents_import
from .launch import launch
from .outbox import JOB_STATES, RetryLater, job_retry_now, retry_countdown, sync_give_up
from .recovery import repair_orphaned_states, requeue_stuck
from .sync import sync_or_retry, sync_queue, sync_request, sync_run
from .sync_steps import STEPS, SyncContext, image_name, image_owner
from .test_send import (
    POSSIBLY_SENT,
    test_send_confirm,
    test_send_give_up,
    test_send_request,
    test_send_run,
    test_sends_today,
    why_no_test_send,
)

__all__ = [
    "ACCOUNT_URN",
    "CAMPAIGN_URN",
    "FEATURE_SCOPES",
    "JOB_STATES",
    "PERMISSION_STATES",
    "POSSIBLY_SENT",
    "STEPS",
    "AdAccount",
    "Disconnected",
    "NotConnected",
    "RetryLater",
    "SyncContext",
    "SyncRefused",
    "account_choose",
    "accounts_available",
    "campaign_choose",
    "campaigns_import",
    "client_for",
    "connection_disconnect",
    "connection_mark",
    "connection_store",
    "contents_import",
    "feature_unavailable",
    "image_name",
    "image_owner",
    "job_retry_now",
    "launch",
    "member_identify",
    "missing_scopes",
    "permission_of",
    "repair_orphaned_states",
    "requeue_stuck",
    "retry_countdown",
    "sender_permissions",
    "senders_import",
    "sync_blocker",
    "sync_give_up",
    "sync_or_retry",
    "sync_queue",
    "sync_request",
    "sync_run",
    "test_send_confirm",
    "test_send_give_up",
    "test_send_request",
    "test_send_run",
    "test_sends_today",
    "token_refresh",
    "tokens_refresh_due",
    "why_no_test_send",
]
