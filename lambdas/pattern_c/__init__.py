"""Pattern C, workflow across processes: the same steps as an Express state machine."""
