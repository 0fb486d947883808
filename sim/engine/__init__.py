"""The SimPy engine: runs a compiled scenario under a design."""

from .replication import Replication, simulate
from .world import World, compile_world

__all__ = ["Replication", "World", "compile_world", "simulate"]
