"""Print the classifier's figures table (every evaluation set, per language, with speed).

Usage: python bench/classify_bench.py [--limit N] [--set NAME ...]
Same as ``newsmon eval``; eval data is read from $NEWSMON_EVAL_DIR or
../shared/eval (never copied). For the speed target run it on one core:
``taskset -c 0 .venv/bin/python bench/classify_bench.py``.
"""

from __future__ import annotations

import sys

from newsmon.classify import evaluate

if __name__ == "__main__":
    sys.exit(evaluate.main(sys.argv[1:]))
