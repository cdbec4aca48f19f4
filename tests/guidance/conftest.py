"""The LinkedIn sandbox fixtures (served over real HTTP by live_server) for the variants' sync and the results."""

from tests.linkedin.conftest import (  # noqa: F401  (fixtures, found by name)
    connected,
    make_synced_ready_ad,
    sandbox_url,
    token,
    webinar,
)
