"""The agent link: enrollment and the long-lived Connect stream to the control server."""

from agent.link._backoff import Backoff
from agent.link._enroll import enroll, parse_labels
from agent.link._link import AgentLink, LinkStopped
from agent.link._state import Identity, LinkState, report_telemetry

__all__ = ["AgentLink", "Backoff", "Identity", "LinkState", "LinkStopped", "enroll", "parse_labels", "report_telemetry"]
