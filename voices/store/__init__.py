"""What the renderer keeps on disk: synthesized segments (the cache), rendered programs,
and the content check that every stored file passes before it is used."""
