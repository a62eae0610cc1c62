"""wsgi.py for servers and commands a test starts: the same app, its clock set to the moment
given in NETWORK_TEST_CLOCK (an ISO moment), so the servers and the test agree on what is past
and what is to come. bench.server uses it when the clock of the process starting them was set
(the suite's); tests/test_two_servers.py for its own servers."""

import os
from datetime import datetime

from network.core.time import set_clock

set_clock(datetime.fromisoformat(os.environ["NETWORK_TEST_CLOCK"]))

from wsgi import app  # noqa: E402  -- created on the clock just set

__all__ = ["app"]
