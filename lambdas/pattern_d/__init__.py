"""Pattern D, function calling: a bounded tool loop written by hand."""

from pattern_core import init_phase

# First, before the handler module Lambda names loads: see `pattern_core.init_phase`.
init_phase.begin()
