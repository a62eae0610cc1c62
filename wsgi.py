"""The WSGI entry point: `gunicorn wsgi:app`."""

from network import create_app
from network.core.memory import return_large_allocations

return_large_allocations()
app = create_app()
