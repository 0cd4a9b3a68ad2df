"""What every pattern shares: the HTTP contract, model access, the workflow, the agent runtime."""
