"""Tests of the sans-IO protocol core, one file per module, plus vectors and fuzzing."""
