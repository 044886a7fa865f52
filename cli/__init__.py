"""``urbdash``: the command line over the core the app runs (see ``cli.main``)."""
