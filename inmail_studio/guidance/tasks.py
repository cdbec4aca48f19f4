"""Results after launch: a beat task pulls every live ad's daily figures from LinkedIn's ad analytics.

Thin tasks, as the LinkedIn app's: the beat task lists the live ads and sends one task per
ad; each loads by id and calls `services.results_pull`, which is an upsert, so a duplicate
delivery or a retry after a lost answer stores nothing twice.
"""

from __future__ import annotations

from celery import shared_task

from inmail_studio.dispatch import dispatch
from inmail_studio.linkedin.client import Transient

from . import services


@shared_task(
    name="guidance.pull_ad_results",
    acks_late=True,
    autoretry_for=(Transient,),
    retry_backoff=30,
    retry_backoff_max=900,
    retry_jitter=True,
    max_retries=4,
)
def pull_ad_results_task(ad_id: int) -> int:
    return services.results_pull(ad_id=ad_id)


@shared_task(name="guidance.pull_results", acks_late=True)
def pull_results_task() -> int:
    """Queue a pull for every live ad with a creative; returns how many were queued."""
    ad_ids = services.live_ads_with_creatives()
    for ad_id in ad_ids:
        if not dispatch(pull_ad_results_task, ad_id):
            break  # the broker is down (logged): the next beat pulls them all again
    return len(ad_ids)
