"""Background jobs: huey with SQLite storage in instance/ (no extra service on one server).

``HUEY_URL`` may point to Redis (``redis://…``) when the app grows. Tests run tasks
immediately (``HUEY_IMMEDIATE``). The consumer runs beside gunicorn (scripts/start):
``.venv/bin/huey_consumer cpas.jobs.huey``. It imports this module only, so this module
imports, by name, every module that declares a task (``TASK_MODULES``): a task declared
elsewhere would be « not found in TaskRegistry » in the consumer. A test compares the
registry of a fresh interpreter with a literal list and with every ``@huey.task`` found in
the code.
"""

from __future__ import annotations

from .taskqueue import app_context, huey

# After ``huey`` exists (a task module imports it from ``cpas.taskqueue``, never from here).
from .water_fund import exports as water_fund_exports

__all__ = ["TASK_MODULES", "app_context", "huey"]

#: Every module with a ``@huey.task`` or ``@huey.periodic_task``, imported above by name.
TASK_MODULES: tuple[str, ...] = (water_fund_exports.__name__,)
