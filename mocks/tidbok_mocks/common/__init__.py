"""Code shared by both mock servers: clock, errors, schedule store, faults, admin API, runner."""
