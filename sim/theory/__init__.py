"""Exact steady-state queueing theory used to validate the simulator.

Erlang C (M/M/n) and Palm/Erlang A (M/M/n+M) performance measures; all rates share one
time unit and all returned times are in that unit. See ``sim.theory.erlang`` for the
formulas and their sources.
"""

from sim.theory.erlang import ErlangA, ErlangC, erlang_a, erlang_c

__all__ = ["ErlangA", "ErlangC", "erlang_a", "erlang_c"]
