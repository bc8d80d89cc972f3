"""Operations: Prometheus metrics, readiness, and JSON logs with personal data masked."""
