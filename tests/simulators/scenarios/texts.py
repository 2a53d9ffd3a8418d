"""A small valid scenario the validator and runner tests change one line at a time."""

GOOD = """\
name = "approve"

[[user]]
id = "carol"

[[phone]]
name = "pixel"
platform = "android"
user = "carol"

[[step]]
do = "login"
user = "carol"
as = "s1"

[[step]]
do = "approve"
phone = "pixel"
session = "s1"

[[step]]
do = "expect"
session = "s1"
status = "accepted"
"""
