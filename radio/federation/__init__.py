"""Federation between installations: links, signed requests, the outbox, state up."""
