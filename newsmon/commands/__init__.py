"""Subcommands of the ``newsmon`` command that belong to no one lower package.

A command that reads or writes through several packages (``classify`` reads
the text dumps that ``ingest`` parses) lives here, beside :mod:`newsmon.cli`,
so the packages below never import each other upward. Commands of one
package's own tools stay with it (``newsmon/ingest/commands.py``,
``newsmon/web/commands.py``, ``newsmon/dlq.py``).
"""
