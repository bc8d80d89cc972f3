"""The call log as supervisors read it."""
