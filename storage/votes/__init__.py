"""Votes, the source of truth: the ledger that decides which votes stand (the one reader every
consumer goes through), recording a vote, the battles votes are cast on, the ordered vote log the
rating views read, the calibration view's slice of votes, and the lookups behind vote import and
export."""
