"""Workflows that join storage and judging; shared by the pages and the CLI."""
