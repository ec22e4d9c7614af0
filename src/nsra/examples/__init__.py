"""Example assessments (illustrative), shipped so that `nsra demo` runs anywhere."""
