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
