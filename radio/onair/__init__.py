"""On air: the scheduler's due airings played into their zones' channels, and what the
channels report written to the as-run log. One module per stage: the periodic jobs
(`loop`), handing airings to playout (`handover`), the as-run log (`asrun`)."""

from radio.onair.loop import OnAir

__all__ = ["OnAir"]
