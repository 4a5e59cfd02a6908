"""Every model, imported here so that ``Base.metadata`` (and Alembic autogenerate) sees them all.

One module per job; each feature adds its module to the list below.
"""

from bot.db.base import Base
from bot.db.models import events as events
from bot.db.models import exercises as exercises
from bot.db.models import experts as experts
from bot.db.models import learn as learn
from bot.db.models import qa as qa
from bot.db.models import resources as resources
from bot.db.models.core import AuditEntry, BotState, GuildSettings, MemberSettings, Notice

__all__ = ["AuditEntry", "Base", "BotState", "GuildSettings", "MemberSettings", "Notice"]
