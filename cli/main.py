"""The ``urbdash`` entry point: the shared group with every command module registered on it.

Command modules import the group from ``cli.base`` and never each other; this module only
collects them so that ``urbdash --help`` lists every command.
"""

from cli import (  # noqa: F401  (registration)
    forecasts,
    regions,
    reports,
    returns,
    review,
    setup,
    targets,
    tasks,
    users,
)
from cli.base import main

__all__ = ["main"]

if __name__ == "__main__":
    main()
