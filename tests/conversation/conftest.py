from __future__ import annotations

import pytest

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads.conversation import services as conversation_services
from inmail_studio.ads.models import Ad


@pytest.fixture
def conversation_ad(workspace: Workspace, author: User) -> Ad:
    return conversation_services.conversation_create(
        workspace=workspace, author=author, name="Spring event", template_key="event-invitation"
    )
