"""A TCP proxy on loopback to stand between the app servers and PostgreSQL, so that a test
or the bench can make the database "restart" without touching the machine's server (which
others use): `restart(seconds)` cuts every connection and refuses new ones for that long,
then accepts again, which is what a restart looks like to a client.

    with Proxy(5432) as proxy:       # listens on 127.0.0.1:proxy.port
        url = proxy.url(database_url)  # the same URL, through the proxy
        proxy.restart(3)

Threads, two per connection; every loop ends when its sockets close.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time

import sqlalchemy as sa


class Proxy:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.lock = threading.Lock()
        self.connections: set[socket.socket] = set()
        self.listener: socket.socket | None = None
        self.port = 0
        self.accepted = 0
        self.cut = 0  # connections cut by restarts

    def __enter__(self) -> Proxy:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def url(self, database_url: str) -> str:
        """`database_url` pointed at the proxy."""
        url = sa.engine.make_url(database_url).set(host="127.0.0.1", port=self.port)
        return url.render_as_string(hide_password=False)

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self.port = listener.getsockname()[1]
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        """Close the listener (new connections are refused) and cut every connection."""
        with self.lock:
            listener, self.listener = self.listener, None
            connections, self.connections = self.connections, set()
        if listener is not None:
            listener.close()
        for conn in connections:
            _close(conn)
        self.cut += len(connections) // 2

    def restart(self, seconds: float) -> None:
        """Down for `seconds` (connections cut, new ones refused), then up on the same port."""
        self.stop()
        time.sleep(seconds)
        self.start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # closed by stop()
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                if self.listener is not listener:  # stopped meanwhile
                    _close(client)
                    _close(upstream)
                    return
                self.connections.update((client, upstream))
                self.accepted += 1
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        with self.lock:
            self.connections.discard(source)
            self.connections.discard(sink)
        _close(source)
        _close(sink)


def _close(conn: socket.socket) -> None:
    with contextlib.suppress(OSError):
        conn.shutdown(socket.SHUT_RDWR)
    conn.close()
