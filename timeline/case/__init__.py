"""Case records: the model, reading YAML and CSV, dates, quotes and checks."""
