"""Every process of the product fits its models with one BLAS thread (cli/__init__.py): on two
cores OpenBLAS's own threads only spun, doubling a backtest's CPU."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import cli.main, numpy, threadpoolctl, json; "
    "print(json.dumps([p['num_threads'] for p in threadpoolctl.threadpool_info()"
    " if p['user_api'] == 'blas']))"
)


def _blas_threads(env: dict) -> list[int]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_process_of_the_product_uses_one_blas_thread():
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    assert _blas_threads(env) == [1]


def test_a_thread_count_set_by_the_operator_wins():
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    assert _blas_threads(env | {"OPENBLAS_NUM_THREADS": "2"}) == [2]
