"""Pattern H, managed agent: a Bedrock Agent or AgentCore harness calls the action Lambda."""

from pattern_core import init_phase

# First, before the handler module Lambda names loads: see `pattern_core.init_phase`.
init_phase.begin()
