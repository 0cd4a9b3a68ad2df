"""Pattern F, multi-agent in one process: a manager agent with specialists as tools."""
