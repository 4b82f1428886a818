"""Ranking and latency benchmark: this engine against plain peers on the shared MedQuAD topics.

Run it as ``python -m bench``; see bench/README.md.  Nothing here is imported by the
app or the tests: the benchmark only reads the index, the evaluation files and the
optional peer packages (``pip install -e '.[bench]'``).
"""
