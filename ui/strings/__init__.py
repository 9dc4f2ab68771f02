"""Extra UI string tables, one module per screen group; each defines ``STRINGS`` like
``ui.i18n.STRINGS`` ({key: {"zh": ..., "en": ...}}) and is merged into it. Keys must not clash."""
