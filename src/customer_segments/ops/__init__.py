"""Operations commands: what a user of a built project runs (backfill, export, validation)."""
