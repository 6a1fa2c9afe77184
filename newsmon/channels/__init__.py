"""Alert channels: one module per channel behind :class:`~newsmon.channels.base.Channel`."""
