"""The display formats of icms/settings.py, found ahead of Django's own for the English locales
(FORMAT_MODULE_PATH): a locale's formats win over the settings, so the settings are given here."""

from django.conf import settings

DATE_FORMAT = settings.DATE_FORMAT
SHORT_DATE_FORMAT = settings.SHORT_DATE_FORMAT
TIME_FORMAT = settings.TIME_FORMAT
DATETIME_FORMAT = settings.DATETIME_FORMAT
SHORT_DATETIME_FORMAT = settings.SHORT_DATETIME_FORMAT
YEAR_MONTH_FORMAT = settings.YEAR_MONTH_FORMAT
