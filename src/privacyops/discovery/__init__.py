"""Discovery scans kept in the store: the last scan of each system, started from the console by an admin.

``privacyops scan`` prints a scan and forgets it; the console's data map shows the last one beside the
manifest, so the summary is stored: per column its table, name, declared categories and counts of each
entity type, never a value or a masked example.
"""
