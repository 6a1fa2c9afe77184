"""newsmon: an always-on news monitor on Kafka, Faust and Redis."""

__version__ = "0.1.0"
