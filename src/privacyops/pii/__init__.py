"""PII engine: detect and mask personal data and secrets in text, JSON, spans and logs.

The library calls most code needs are re-exported here; see ``engine`` for detection,
``operators`` for masking, ``structured`` for JSON and ``policy`` for per-project settings.
"""
