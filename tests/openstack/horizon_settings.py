"""Horizon's local_settings.py for the tests, copied into the Horizon environment when it is built;
what changes from run to run (Keystone's URL, where to log) comes from the environment.

venus-dashboard 7.0.0 imports APIs Django 4.0 removed (django.conf.urls.url, ugettext_lazy), and
Horizon 27 runs on Django 5.2: the two names are put back before any panel is imported."""

import os
import sys

import django.conf.urls as _dj_urls
import django.utils.translation as _dj_tr
from django.urls import re_path as _re_path

_dj_urls.url = _re_path
_dj_tr.ugettext_lazy = _dj_tr.gettext_lazy

DEBUG = True  # runserver serves the static files, compiled on the first page
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SECRET_KEY = "venus-tests-only"
WEBROOT = "/"
# Inside the environment, so the compiled styles and scripts are kept from one run to the next.
STATIC_ROOT = os.path.join(sys.prefix, "horizon-static")
MEDIA_ROOT = os.path.join(sys.prefix, "horizon-media")
COMPRESS_OFFLINE = False
OPENSTACK_HOST = "127.0.0.1"
OPENSTACK_KEYSTONE_URL = os.environ["VENUS_TEST_KEYSTONE_URL"]
OPENSTACK_KEYSTONE_DEFAULT_ROLE = "member"
OPENSTACK_KEYSTONE_MULTIDOMAIN_SUPPORT = False
OPENSTACK_ENDPOINT_TYPE = "publicURL"
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TIME_ZONE = "UTC"
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "handlers": {"file": {"class": "logging.FileHandler", "filename": os.environ["VENUS_TEST_HORIZON_LOG"]}},
           "root": {"handlers": ["file"], "level": "INFO"}}
