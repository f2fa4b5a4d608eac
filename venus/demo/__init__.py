"""Generated OpenStack logs for demos, tests and benchmarks."""
