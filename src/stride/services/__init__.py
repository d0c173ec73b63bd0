"""Use cases. Every read and write of personal health data passes through here: each use case
checks the caller's role (and care team), runs in one transaction, and writes the audit chain."""
