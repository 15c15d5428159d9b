"""English as a Norwegian public body writes it (en-GB style): day before month, 24-hour clock.

Django's own ``en`` formats are American ("Dec. 4, 2026, 7:05 p.m.", "12/04/2026"); these replace them.
Only what differs from Django's defaults is set here; everything else falls back to Django's ``en``.
"""

DATE_FORMAT = "j F Y"  # 4 December 2026
TIME_FORMAT = "H:i"  # 19:05
DATETIME_FORMAT = "j F Y H:i"  # 4 December 2026 19:05
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"  # 04/12/2026
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # 04/12/2026
    "%d.%m.%Y",  # 04.12.2026, what a Norwegian keyboard user types
    "%Y-%m-%d",  # 2026-12-04, what <input type="date"> sends
    "%d %B %Y",  # 4 December 2026
]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M",
    "%d.%m.%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",  # <input type="datetime-local">
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
