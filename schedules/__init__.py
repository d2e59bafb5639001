"""Airtimes: one-off and recurring slots, conflicts, priorities, pre-rendering."""
