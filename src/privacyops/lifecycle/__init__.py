"""The notice over time: published versions, what changed and whether it matters, who was told.

Also the records the law asks for besides the notice: the disclosures ledger behind the CCPA
statements (NV-3) and the yearly request metrics (RK-3).
"""
