"""Supervisors' pages under /console/supervisor: call log, call timeline, dashboard, impact, report."""
