"""Pattern C, workflow across processes: the same steps as an Express state machine."""

from pattern_core import init_phase

# First, before the handler module Lambda names loads: see `pattern_core.init_phase`.
init_phase.begin()
