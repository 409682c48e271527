"""Consent, preferences and opt-out signals: the receipt ledger and the one answer to "may we process this".

``ledger`` appends receipts and keeps the derived state; ``purposes`` reads what may be decided from the
manifest (its purposes and its cookie categories); ``decide`` answers ``can_process``, folding in
restriction and objection (``execution.restriction``), browser opt-out signals and the minor flag.
"""
