"""Scenarios: TOML files of setup, steps and expectations, validated before they run.

``loader.load_scenario`` reads and validates a file (every problem as
``file:line: what is wrong``); ``schema`` is the one table of what a file may
say, which the docs reference (``reference.markdown``) is generated from.
"""
