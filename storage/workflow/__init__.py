"""The human workflow's queries: assignments and the battles each queue policy may hand out, spot
checks of the judges, gold labels, flags and expert adjudication, campaigns and per-person
progress, and the annotation guidelines."""
