"""The options of ``pushsim bench`` (and the hash cost ``pushsim serve`` shares).

Only ``argparse`` here: ``app.cli`` imports this module on every start, and
the bench itself loads when the command runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

PRODUCT_HASH_COST = 15
PLATFORMS = ("android", "ios", "mixed")


def add_hash_cost_option(parser: argparse.ArgumentParser) -> None:
    """``--password-hash-cost LOG2N``, shared by ``serve`` and ``bench``."""
    parser.add_argument(
        "--password-hash-cost",
        type=int,
        default=PRODUCT_HASH_COST,
        metavar="LOG2N",
        help=f"scrypt cost of static passwords, log2 of N (1-20, default {PRODUCT_HASH_COST})",
    )


def add_bench_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--phones", type=int, default=10, help="users, each with its own phone")
    parser.add_argument("--logins", type=int, default=100, help="complete push logins to run")
    parser.add_argument("--concurrency", type=int, default=1, help="concurrent login clients")
    add_hash_cost_option(parser)
    parser.add_argument("--platform", choices=PLATFORMS, default="android")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the report as JSON")
    parser.add_argument("--profile", type=Path, metavar="FILE", help="cProfile stats of the run")
