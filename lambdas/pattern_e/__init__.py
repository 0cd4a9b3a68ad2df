"""Pattern E, single agent: an OpenAI Agents SDK agent runs the tool loop."""

from pattern_core import init_phase

# First, before the handler module Lambda names loads: see `pattern_core.init_phase`.
init_phase.begin()
