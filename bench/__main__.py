"""``python -m bench [queue|governor] [options]``: print the engine's figures (both by default)."""

import sys

from bench import governor, queue_throughput

which = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else "all"
rest = sys.argv[2:] if which != "all" else sys.argv[1:]
if which in ("all", "queue"):
    queue_throughput.main(rest if which == "queue" else ["--profile"])
if which in ("all", "governor"):
    governor.main(rest if which == "governor" else [])
