"""Audio as the station handles it: PCM, the one broadcast format, decoding uploads,
loudness, chimes and the encoders."""
