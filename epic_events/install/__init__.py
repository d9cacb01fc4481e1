"""The installer behind `python setup.py`: files, schema, departments, super user.

Idempotent and never destructive: what exists is kept, and a second run says so.
`installer` runs the steps; `files` writes .env, data.json and the token store;
`database` checks the administrator, makes the roles and migrates; `seeding` inserts
data.json's departments and users (passwords from `user_passwords`) and the demo company.
"""

from epic_events.install.installer import Installer

__all__ = ["Installer"]
