"""gunicorn reads this file from the directory it starts in (`make run`, the systemd unit's
WorkingDirectory): the command line says how many workers, this what each does beside serving.

Each worker delivers the outbox every MAIL_SEND_EVERY seconds on a thread of its own, so mail
queued outside a request (the demo, reminders, retries) goes within seconds without cron
(docs/decisions.md, 2026-12-04). With JOBS_IN_WORKERS (`make run`), each also runs the
scheduled jobs that are due, once a minute, on another thread: each job once per due time
however many workers try (docs/decisions.md, 2026-12-06). After each response, a worker gives
the free memory inside its heap back to the system (docs/decisions.md, 2026-12-06: memory at
size)."""


def post_worker_init(worker):
    from network.core.jobs import start_runner
    from network.core.mail import start_sender

    start_sender(worker.wsgi)
    start_runner(worker.wsgi)


def worker_exit(server, worker):
    from network.core.jobs import stop_runner
    from network.core.mail import stop_sender

    stop_runner(timeout=10)
    stop_sender(timeout=10)


def post_request(worker, req, environ, resp):
    from network.core.memory import release_free_memory

    release_free_memory()
