"""Keep a worker's resident memory near what it uses (PRODUCT.md: <= 80 MB per worker)."""

import ctypes
import ctypes.util

M_MMAP_THRESHOLD = -3  # from glibc's malloc.h
M_ARENA_MAX = -8
ONE_MIB = 1024 * 1024


def keep_memory_small() -> None:
    """Have glibc map allocations over 1 MiB on their own and unmap them when freed.

    argon2id borrows 19 MiB for every password check. By default glibc raises its mmap
    threshold after the first such block is freed, so later ones come from the heap, and a
    gunicorn thread's arena keeps the 19 MiB for good. A fixed threshold stops that. On a libc
    that is not glibc this does nothing.
    """
    name = ctypes.util.find_library("c")
    if not name:
        return
    libc = ctypes.CDLL(name)
    if hasattr(libc, "mallopt"):
        libc.mallopt(M_MMAP_THRESHOLD, ONE_MIB)
        # One malloc arena per gunicorn thread fragments memory that Python's GIL makes
        # pointless to keep apart; two are enough.
        libc.mallopt(M_ARENA_MAX, 2)


def release_free_memory() -> None:
    """Give the free pages inside glibc's heap back to the system (malloc_trim).

    A big page leaves its free blocks in the middle of the heap, where glibc keeps them: a
    worker's resident memory stays at its largest page's high-water mark. gunicorn calls this
    after each response (gunicorn.conf.py, post_request): about half a millisecond, after the
    response is sent, for about 7 MB less in each worker after every page has been served
    (docs/decisions.md, 2026-12-06). On a libc that is not glibc this does nothing.
    """
    if _trim is not None:
        _trim(0)


def _malloc_trim():
    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name) if name else None
    return getattr(libc, "malloc_trim", None)


_trim = _malloc_trim()
