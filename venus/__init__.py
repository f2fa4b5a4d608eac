"""Venus: a log platform for OpenStack clouds."""

__version__ = "0.1.0"
