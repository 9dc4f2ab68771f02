"""What a release publishes: the release cycle (check the draft, publish, collect, judge, report,
site), the release report and its files (Markdown, CSV, JSON), and the static site."""
