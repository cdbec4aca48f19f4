"""Review pages that compose the rooms: the approvers' queue with each ad's guidance score.

The review room keeps its own pages (the review page, decisions, comments, sharing, notifications);
this is the one that also reads guidance.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from inmail_studio.accounts.selectors import current_membership
from inmail_studio.guidance import selectors as guidance_selectors
from inmail_studio.http import HtmxHttpRequest
from inmail_studio.paging import DeferredJoinPaginator
from inmail_studio.review.views import PAGE_SIZE, _user
from inmail_studio.studio import selectors


@login_required
@require_GET
def queue(request: HtmxHttpRequest) -> HttpResponse:
    membership = current_membership(request)
    reviews = selectors.review_queue(_user(request), workspace_id=membership.workspace_id)
    # The page's 25 ids first, then only those joined (revisions, senders, plans): with a plain slice
    # PostgreSQL joined every open review of the workspace (300 at agency scale) to sort and keep 25.
    page = DeferredJoinPaginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    scores = guidance_selectors.scores_for([review.ad for review in page.object_list])
    return render(request, "review/queue.html", {"membership": membership, "page": page, "scores": scores})
