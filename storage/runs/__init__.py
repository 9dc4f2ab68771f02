"""What collection and judge runs persist: the endpoint registry and the arena model each endpoint
answers as, the answers still missing and their storage, and run bookkeeping (progress, failed
calls, unparsed judge replies, what a judge has already done)."""
