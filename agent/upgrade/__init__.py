"""The upgrade engine (see engine.py for the flow) and the sources it installs from."""

from agent.upgrade.engine import STEPS, UpgradeEngine, UpgradePlan, UpgradeResult
from agent.upgrade.sources import BundleSource, FileSource, StagedBundle, UrlSource

__all__ = ["STEPS", "BundleSource", "FileSource", "StagedBundle", "UpgradeEngine", "UpgradePlan", "UpgradeResult", "UrlSource"]
