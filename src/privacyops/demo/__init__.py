"""The demo application database: an LLM-observability SaaS full of fake people (docs/demo-schema.md)."""
