"""Projections of the votes for reading: the in-memory vote log, live Elo and TrueSkill folded
forward from a cursor, Bradley–Terry leaderboards of a slice, the calibration view (and its drill
down to single battles), and the vote ledger's consistency check."""
