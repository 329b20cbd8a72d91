"""Server persistence: models (`models`), portable types (`types`), engine/session and
migration helpers (`engine`), per-project seed data (`defaults`)."""
