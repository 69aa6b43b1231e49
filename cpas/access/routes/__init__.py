"""Access management screens: profiles, users, « Mes accès », Admin-Logs, account requests.

Each module registers its views on the access blueprint; they are imported here by name.
"""

from .. import bp
from . import account_requests, admin_logs, profiles, users

__all__ = ["account_requests", "admin_logs", "bp", "profiles", "users"]
