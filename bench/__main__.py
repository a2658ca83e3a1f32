"""``python -m bench``: print the engine's throughput figures."""

from bench.queue_throughput import main

main()
