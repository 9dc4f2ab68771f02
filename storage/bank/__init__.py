"""The question bank: releases (drafts and frozen ``vYYMMDD`` releases, and the gold items'
container), their questions, and the events and generated candidate questions that experts verify
into a draft."""
