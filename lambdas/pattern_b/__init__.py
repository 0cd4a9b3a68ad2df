"""Pattern B, workflow in one process: the fixed booking steps run in one Lambda."""

from pattern_core import init_phase

# First, before the handler module Lambda names loads: see `pattern_core.init_phase`.
init_phase.begin()
