"""Developer tools: the sample-data generator, its daily increment, benchmarks and checks."""
