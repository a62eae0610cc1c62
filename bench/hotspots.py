"""Where a page's time goes: cProfile over a few hundred requests of one page, in one process,
on the bench's data, after warm-up.

    python -m bench.hotspots "thread, 20 posts"
    python -m bench.hotspots category --factor 100 --sort tottime --top 40
    python -m bench.hotspots account --sort sampled

Prints the functions that take the most time (cumulative by default, or own time) and the
number of calls of each, per request: how many `can()` checks, gettext calls or lazy loads a
page makes is often the finding. Profiling slows Python down about twofold, more for many
small calls, so compare its figures with each other, not with bench.report's.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import subprocess
import sys

from bench.inprocess import WsgiClient
from bench.pages import ACCEPT_ENCODING, LOGINS, PASSWORD, chosen
from bench.server import BIN, ROOT, prepare


def profile_inside(page: dict, requests: int, sort: str, top: int) -> None:
    """In the app's environment: log in, warm up, profile `requests` requests."""
    from wsgi import app

    client = WsgiClient(app)
    if LOGINS[page["role"]]:
        client.log_in(LOGINS[page["role"]], PASSWORD)
    for _ in range(20):
        client.request("GET", page["path"], **{"Accept-Encoding": ACCEPT_ENCODING})
    environ = client.environ("GET", page["path"], **{"Accept-Encoding": ACCEPT_ENCODING})
    if sort == "sampled":
        from pyinstrument import Profiler

        sampler = Profiler(interval=0.0002)
        sampler.start()
        for _ in range(requests):
            client.call(environ)
        sampler.stop()
        print(f"{page['name']} ({page['path']}) as {page['role']}, {requests} requests, "
              f"sampled (times are for all of them)")
        print(sampler.output_text(unicode=False, color=False))
        return
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        client.call(environ)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats(sort).print_stats(top)
    print(f"{page['name']} ({page['path']}) as {page['role']}, {requests} requests; "
          f"call counts below are for all of them (divide by {requests} for one)")
    print(out.getvalue())


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--inside":
        spec = json.loads(sys.argv[2])
        profile_inside(spec["page"], spec["requests"], spec["sort"], spec["top"])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", help="a page's name, or a word from it (bench/pages.py)")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--factor", type=int, default=1)
    parser.add_argument("--sort", default="cumulative",
                        choices=["cumulative", "tottime", "sampled"],
                        help="sampled: pyinstrument's call tree, which slows Python less than "
                             "cProfile and so shows where time goes more truly")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    page = chosen(args.page)[0]
    with prepare(args.factor, busy_forum=True) as dataset:
        spec = {"page": {"name": page.name, "role": page.role,
                         "path": page.path(dataset.landmarks)},
                "requests": args.requests, "sort": args.sort, "top": args.top}
        subprocess.run([BIN / "python", "-m", "bench.hotspots", "--inside", json.dumps(spec)],
                       env=dataset.env, cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
