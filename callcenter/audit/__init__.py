"""Audit trail of operator, supervisor and admin actions (append-only)."""
