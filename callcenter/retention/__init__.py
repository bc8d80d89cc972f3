"""Retention of personal data (Nghị định 13/2023, Luật 91/2025): keep no longer than the policy says."""
