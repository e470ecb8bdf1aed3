# Filled in by the benchmark.
