"""Pattern F, multi-agent in one process: a manager agent with specialists as tools."""

from pattern_core import init_phase

# First, before the handler module Lambda names loads: see `pattern_core.init_phase`.
init_phase.begin()
