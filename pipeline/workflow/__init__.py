"""The human side of judging: the queue that picks a person's next battle, voting and undo, flags
and expert adjudication, gold items, campaigns, the annotation guidelines, and how far each person
has got."""
