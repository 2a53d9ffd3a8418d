"""Tests of the validation core."""
