"""Class sessions: launching, joining, answering, results."""
