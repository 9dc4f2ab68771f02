"""Votes across the project's border: importing votes in the interchange format (all or nothing),
and exporting them as interchange CSV/JSONL or Chatbot Arena's battle format."""
