"""Pattern G, multi-agent across processes: a manager Lambda invoking specialist Lambdas."""

from pattern_core import init_phase

# First, before the handler module Lambda names loads: see `pattern_core.init_phase`.
init_phase.begin()
