"""Teachers' own courses: import parsers (GIFT, Aiken, spreadsheets) and content-pack writes.

The parsers are pure functions that return an :class:`ImportResult`: questions as the dicts a
quiz file's ``[[questions]]`` tables hold, and what was skipped, by line, with the reason.
"""
