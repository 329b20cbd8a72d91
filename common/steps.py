"""The steps agents report while running a command (``CommandProgress.step``,
``CommandResult.failed_step``), and their names for people.

Ids stay raw on the wire and in the API; whoever shows a step to a person shows its
name, translated into that person's language (the agent's CLI and messages, the console).
"""

from __future__ import annotations

from common.i18n import N_, gettext

__all__ = ["STEP_NAMES", "step_name"]

#: Step id → English name (the message id). The upgrade engine's steps in order, then
#: those of rollbacks, backups, restarts and scheduled upgrades.
STEP_NAMES: dict[str, str] = {
    "download": N_("Download"),
    "validate": N_("Validate"),
    "backup": N_("Backup"),
    "stop": N_("Stop service"),
    "apply": N_("Apply files"),
    "load": N_("Load images"),
    "start": N_("Start service"),
    "health": N_("Health check"),
    "cleanup": N_("Clean up"),
    "record": N_("Record version"),
    "done": N_("Done"),
    "rollback": N_("Rollback"),
    "restore": N_("Restore"),
    "restart": N_("Restart"),
    "scheduled": N_("Scheduled"),
}


def step_name(step: str, locale: str | None = None) -> str:
    """The step's name in ``locale`` (default: the current one); unknown ids as they are."""
    return gettext(STEP_NAMES[step], locale) if step in STEP_NAMES else step
