"""Publication (SPEC section 7): what was published to committee, kept in the state file, and the
restatements late records make of it."""
