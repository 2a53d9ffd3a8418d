"""Static passwords as salted scrypt hashes, computed off the event loop.

Format: ``scrypt$<log2 n>$<r>$<p>$<salt hex>$<hash hex>``. The parameters live
in the hash, so a changed cost setting applies to new passwords while old
hashes stay verifiable. Comparison is constant time.

Hashing runs in a dedicated pool of one thread per core (``HASH_WORKERS``),
not the loop's default executor: scrypt at the product cost holds 32 MiB for
~0.1 s and is CPU-bound, so more threads than cores only multiply that memory
and make every hash wait longer. Further hashes queue until a core is free.
Only a hash far below the product cost (``INLINE_MAX_WORK``) runs on the loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TypeVar

_SALT_BYTES = 16
_HASH_BYTES = 32
T = TypeVar("T")


def _cores() -> int:
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


HASH_WORKERS = _cores()
_pool = ThreadPoolExecutor(max_workers=HASH_WORKERS, thread_name_prefix="scrypt")


def _scrypt(password: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    n = 2**log2_n
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=256 * n * r * p + 1024 * 1024,  # scrypt needs 128*n*r*p bytes; leave room
        dklen=_HASH_BYTES,
    )


def hash_password(password: str, *, log2_n: int, r: int = 8, p: int = 1) -> str:
    salt = secrets.token_bytes(_SALT_BYTES)
    digest = _scrypt(password, salt, log2_n, r, p)
    return f"scrypt${log2_n}${r}${p}${salt.hex()}${digest.hex()}"


def hash_cost(encoded: str) -> tuple[int, int, int] | None:
    """(log2 N, r, p) of an encoded scrypt hash; None when it is not one."""
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return None
    try:
        return int(parts[1]), int(parts[2]), int(parts[3])
    except ValueError:
        return None


def verify_password(password: str, encoded: str) -> bool:
    try:
        scheme, log2_n, r, p, salt, digest = encoded.split("$")
        if scheme != "scrypt":
            return False
        expected = bytes.fromhex(digest)
        actual = _scrypt(password, bytes.fromhex(salt), int(log2_n), int(r), int(p))
    except ValueError:
        return False  # a damaged hash never verifies
    return hmac.compare_digest(actual, expected)


async def _in_pool(work: Callable[[], T]) -> T:
    return await asyncio.get_running_loop().run_in_executor(_pool, work)


# A hash this cheap (2^8 at r=8: ~0.6 ms here) runs on the loop: the hand-over to
# the pool and back costs more than the hash (tests and benches use 2^4)
INLINE_MAX_WORK = 2**8 * 8


def _cheap(log2_n: int, r: int, p: int) -> bool:
    return (1 << log2_n) * r * p <= INLINE_MAX_WORK


async def hash_password_async(password: str, *, log2_n: int, r: int = 8, p: int = 1) -> str:
    if _cheap(log2_n, r, p):
        return hash_password(password, log2_n=log2_n, r=r, p=p)
    return await _in_pool(partial(hash_password, password, log2_n=log2_n, r=r, p=p))


async def verify_password_async(password: str, encoded: str) -> bool:
    cost = hash_cost(encoded)
    if cost is not None and _cheap(*cost):
        return verify_password(password, encoded)
    return await _in_pool(partial(verify_password, password, encoded))
