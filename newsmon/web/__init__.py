"""The worker's HTTP server: dashboard, metrics, health, and the token-protected API."""
