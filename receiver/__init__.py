"""The reference loudspeaker: a client of the station, not part of the server. Tests and
the demo use it in place of real IP loudspeakers; it also documents the receiver protocol."""

from receiver.client import ReferenceReceiver
from receiver.sinks import FileSink, PlayerSink, ReceiverError, Sink, find_player

__all__ = ["FileSink", "PlayerSink", "ReceiverError", "ReferenceReceiver", "Sink", "find_player"]
