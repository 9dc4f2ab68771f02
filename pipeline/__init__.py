"""Workflows that join storage and judging, shared by the pages and the CLI; orchestration only, no
rules of their own. One room per concept: ``startup`` (settings, first start, demo), ``runs``
(collect, judge, generate on one run skeleton), ``views`` (vote log, live ratings, leaderboards,
calibration, ledger check), ``workflow`` (the human queue and voting, adjudication, gold,
campaigns, guidelines, progress), ``people`` (accounts and user administration), ``bank``
(questions, releases, events and feeds, verification), ``interchange`` (vote import and export)
and ``publish`` (the release cycle, reports and the static site)."""
