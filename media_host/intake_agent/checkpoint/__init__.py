"""Checkpoint savers for the intake graph (Azure Table Storage)."""

from media_host.intake_agent.checkpoint.table_storage import TableStorageSaver

__all__ = ["TableStorageSaver"]
