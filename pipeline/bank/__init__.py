"""The question bank: question import and export, the release lifecycle (drafts, publishing under a
frozen tag, comparing releases), events from feeds and event lists with their proposed dimensions,
and expert verification of generated candidates into a draft."""
