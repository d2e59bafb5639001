"""When things air: slots and their rules, the scheduler's passes over them, emergencies,
bulletins from the level above and emergency templates."""
