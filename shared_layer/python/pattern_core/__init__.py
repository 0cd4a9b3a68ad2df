"""What every pattern shares: the HTTP contract, identity, usage accounting, the model client."""
