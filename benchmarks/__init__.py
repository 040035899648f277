"""`make bench`: Leap's benchmark (benchmarks/README.md). Not part of the test run."""
