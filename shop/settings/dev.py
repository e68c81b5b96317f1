"""Local development: debug on.

Embedded defaults (SQLite, eager tasks) unless the environment says otherwise.
"""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("DEBUG", True)
# `make run` gets a demo catalog, demo shoppers and a demo admin.
BOOTSTRAP_DEMO = True
