"""Pattern A, AI as a service: one model call, then plain code and a template reply."""

from pattern_core import init_phase

# First, before the handler module Lambda names loads: see `pattern_core.init_phase`.
init_phase.begin()
