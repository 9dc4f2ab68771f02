"""Runs that call LLM endpoints, each on the shared run skeleton (``common``: bookkeeping, batched
commits, the client factory): collecting answers, LLM-judge runs, event-driven question generation
(one event or a batch), the endpoint registry, background threads for the admin page, and the read
side of runs for the pages."""
