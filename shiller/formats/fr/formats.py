# "2 déc. 2026 14:05" (N: the month abbreviated the French way): see shiller/formats/__init__.py.
DATE_FORMAT = SHORT_DATE_FORMAT = "j N Y"
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "j N Y H:i"
