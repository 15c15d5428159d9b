"""Norwegian Nynorsk: the same formats as Bokmål (portal.formats.nb: the non-breaking thousands space,
ISO input first). Anything not set there falls back to ``django.conf.locale.nn.formats``; month and
weekday names come from the Nynorsk catalogue."""

from portal.formats.nb.formats import *  # noqa: F403 - one set of Norwegian formats for both written forms
