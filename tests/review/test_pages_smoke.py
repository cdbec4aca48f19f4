from __future__ import annotations

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad
from tests.conftest import client_for


def test_every_review_page_renders_for_the_people_who_use_it(ad: Ad, author: User, approver: User) -> None:
    author_client, approver_client = client_for(author), client_for(approver)
    assert author_client.get(f"/ads/{ad.pk}/").status_code == 200
    assert author_client.post(f"/review/ads/{ad.pk}/submit/").status_code == 302
    for url in [
        "/review/",
        "/review/mine/",
        f"/review/ads/{ad.pk}/",
        f"/review/ads/{ad.pk}/timeline/",
        f"/review/ads/{ad.pk}/share/",
        "/review/notifications/",
        "/review/notifications/bell/",
    ]:
        for c in (author_client, approver_client):
            response = c.get(url)
            assert response.status_code == 200, (url, response.status_code)
