"""Reports for the level above: statistics over a period, as tables and as a PDF."""
