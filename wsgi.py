"""The WSGI entry point: `gunicorn --preload wsgi:app` (docs/decisions.md, worker model)."""

import gc

from network import create_app
from network.core.memory import keep_memory_small

keep_memory_small()
app = create_app()
# Loaded once in gunicorn's master (--preload), the app is shared by the forked workers until
# written to; the collector's passes would write to every object it visits, so what exists now
# is set aside from them (gc.freeze) and stays shared.
gc.freeze()
