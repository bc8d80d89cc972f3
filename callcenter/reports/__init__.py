"""What supervisors read: the figures of a period, computed by the database."""
