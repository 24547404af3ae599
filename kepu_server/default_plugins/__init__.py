"""The core's own defaults, written as plugins so there is one path through the system."""
