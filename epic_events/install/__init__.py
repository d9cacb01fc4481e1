"""The installer behind `python setup.py`: files, schema, departments, super user.

Idempotent and never destructive: what exists is kept, and a second run says so.
`installer` runs the steps; `files` writes settings.env, data.json and the token store;
`database` checks the administrator, makes the roles and migrates; `seeding` inserts
data.json's departments and users (passwords from `user_passwords`) and the demo company.
`backup` backs the database up and `restore` restores it (`setup.py --backup/--restore`:
the one destructive step, a replace, only when asked and after a backup), in the sealed
file of `backup_file`, with the passphrase of `passphrase`.
"""

from epic_events.install.installer import Installer

__all__ = ["Installer"]
