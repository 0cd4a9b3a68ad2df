"""Pattern E, single agent: an OpenAI Agents SDK agent runs the tool loop."""
