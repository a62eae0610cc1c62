"""wsgi.py for the app servers tests/test_two_servers.py starts: the same app, its clock set
to the moment the suite gives in NETWORK_TEST_CLOCK (an ISO moment), so the servers and the
test agree on what is past and what is to come."""

import os
from datetime import datetime

from network.core.time import set_clock

set_clock(datetime.fromisoformat(os.environ["NETWORK_TEST_CLOCK"]))

from wsgi import app  # noqa: E402  -- created on the clock just set

__all__ = ["app"]
