"""Benchmarks: cold start, warm latency against the floor, build throughput, and scale to a million passages."""
