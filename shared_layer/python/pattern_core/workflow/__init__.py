"""The fixed booking workflow (B in one Lambda, C as Step Functions): its steps, one copy."""
