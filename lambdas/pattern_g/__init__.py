"""Pattern G, multi-agent across processes: a manager Lambda invoking specialist Lambdas."""
