"""SQLite storage through sqlite-utils: connections, transactions, migrations."""
