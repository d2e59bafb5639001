"""Speech engines behind one Synthesizer protocol (eSpeak NG in-process, Piper neural),
the voice catalog that hands out a ready synthesizer for an id, and the voice downloader."""
