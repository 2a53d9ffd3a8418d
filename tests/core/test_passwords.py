"""Password hashing is bounded to the cores: concurrency queues hashes, never multiplies them."""

from __future__ import annotations

import asyncio
import os
import threading

import pytest

from core.service import passwords


def test_the_hash_pool_has_one_thread_per_core() -> None:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert cores == passwords.HASH_WORKERS


async def test_at_most_one_hash_per_core_runs_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    slots = passwords.HASH_WORKERS
    # each hash waits until a full set of ``slots`` hashes runs beside it: proves
    # that ``slots`` do run at once, and more threads would show in the counts
    together = threading.Barrier(slots, timeout=30)
    lock = threading.Lock()
    running = 0
    most = 0
    threads: set[int] = set()
    real_scrypt = passwords._scrypt

    def counted_scrypt(password: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            threads.add(threading.get_ident())
        try:
            together.wait()
            return real_scrypt(password, salt, log2_n, r, p)
        finally:
            with lock:
                running -= 1

    encoded = passwords.hash_password("right", log2_n=9)  # above the inline limit: pooled
    monkeypatch.setattr(passwords, "_scrypt", counted_scrypt)
    checks = [
        passwords.verify_password_async("right" if i % 2 else "wrong", encoded)
        for i in range(3 * slots)
    ]
    results = await asyncio.gather(*checks)

    assert results == [bool(i % 2) for i in range(3 * slots)]
    assert most == slots
    assert len(threads) <= slots  # the default pool would have started one thread per call


async def test_a_hash_far_below_the_product_cost_runs_on_the_loop_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    threads: list[int] = []
    real_scrypt = passwords._scrypt

    def recorded(password: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
        threads.append(threading.get_ident())
        return real_scrypt(password, salt, log2_n, r, p)

    monkeypatch.setattr(passwords, "_scrypt", recorded)
    cheap = await passwords.hash_password_async("right", log2_n=4)
    assert await passwords.verify_password_async("right", cheap)
    assert not await passwords.verify_password_async("wrong", cheap)
    product = await passwords.hash_password_async("right", log2_n=10)
    assert await passwords.verify_password_async("right", product)
    loop_thread = threading.get_ident()
    assert threads[:3] == [loop_thread] * 3
    assert loop_thread not in threads[3:]  # 2^10 and up: the hash pool
