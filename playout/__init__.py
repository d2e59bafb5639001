"""The playout worker: live zone channels, paced MP3 streams, the as-run log."""
