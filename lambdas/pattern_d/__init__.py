"""Pattern D, function calling: a bounded tool loop written by hand."""
