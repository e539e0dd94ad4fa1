"""What the three publisher services share: the ledger, the publish flow, retries and results."""
