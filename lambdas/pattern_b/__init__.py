"""Pattern B, workflow in one process: the fixed booking steps run in one Lambda."""
