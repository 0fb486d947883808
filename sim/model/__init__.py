"""The engine-free domain: channels, distributions, designs, histories, journeys."""

from .channels import ASSISTED, CHANNELS, SELF_SERVICE, TOUCHPOINTS, Touchpoint
from .design import BUILTIN_DESIGNS, Design
from .history import SILOED, UNIFIED, HistoryEvent, HistoryStore, Topology

__all__ = [
    "ASSISTED",
    "BUILTIN_DESIGNS",
    "CHANNELS",
    "SELF_SERVICE",
    "SILOED",
    "TOUCHPOINTS",
    "UNIFIED",
    "Design",
    "HistoryEvent",
    "HistoryStore",
    "Topology",
    "Touchpoint",
]
