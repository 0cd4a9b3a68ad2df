"""Pattern H, managed agent: a Bedrock Agent or AgentCore harness calls the action Lambda."""
