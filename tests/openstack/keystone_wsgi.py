"""Keystone's WSGI application for gunicorn in the tests. Keystone reads its options from the
command line too, and under gunicorn that line holds gunicorn's own flags, which Keystone refuses:
the application is built with a command line of the program's name alone."""

import sys

_argv, sys.argv = sys.argv, sys.argv[:1]
try:
    from keystone.server.wsgi import initialize_public_application

    application = initialize_public_application()
finally:
    sys.argv = _argv
