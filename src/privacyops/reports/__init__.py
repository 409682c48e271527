"""Reports derived from the manifest: the CCPA table and the records of processing."""
