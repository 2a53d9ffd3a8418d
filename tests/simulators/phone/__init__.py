"""Tests of the virtual phones."""
