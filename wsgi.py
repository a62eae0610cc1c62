"""The WSGI entry point: `gunicorn wsgi:app`."""

from network import create_app
from network.core.memory import keep_memory_small

keep_memory_small()
app = create_app()
