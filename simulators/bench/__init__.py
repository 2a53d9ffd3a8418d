"""``pushsim bench``: complete push logins through the real loopback servers, measured.

``fleet`` builds the suite with N users and auto-approving phones, ``runner``
drives M logins with C concurrent login clients, ``timeline`` reads each
step's time from the event bus, ``report`` turns the samples into
percentiles, ``arguments`` declares the options (cheap to import: the
command line loads it at start) and ``command`` runs the command.
``docs/benchmarks.md`` records the figures and the commands that reproduce
them.
"""
