"""Question types and scoring."""
