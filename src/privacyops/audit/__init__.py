"""The tamper-evident audit log (requirement RK-4)."""
