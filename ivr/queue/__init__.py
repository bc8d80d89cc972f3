"""The operators\x27 queue: callers waiting, operators answering (contract section 8)."""
