"""Water fund screens, one module per part: lists, request forms, a request's page (its
steps and files), exports, settings (notifications, drawing rights, dashboard).

FAT and FSE have their own view functions (``fat_detail``, ``fse_detail``…), each naming
its kind's function code; they share the helpers of their module. The factory imports this
package and registers ``bp``.
"""

from __future__ import annotations

from .. import bp as bp
from . import detail, exports, forms, lists, settings
from .common import filters_from as filters_from

__all__ = ["bp", "detail", "exports", "filters_from", "forms", "lists", "settings"]
