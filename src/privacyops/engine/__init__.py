"""The subject-request engine: a plan over the manifest's datasets, run against connectors."""
