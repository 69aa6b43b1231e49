"""Import every domain's models so that Alembic and the app see the whole schema."""

from .access import models as access_models  # noqa: F401
from .aid import models as aid_models  # noqa: F401
from .audit import AuditEntry  # noqa: F401
from .auth import models as auth_models  # noqa: F401
from .centre import models as centre_models  # noqa: F401
from .dossiers import models as dossiers_models  # noqa: F401
from .inquiry import models as inquiry_models  # noqa: F401
from .redi import models as redi_models  # noqa: F401
from .registry import models as registry_models  # noqa: F401
from .water_fund import models as water_fund_models  # noqa: F401
