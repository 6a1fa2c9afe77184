"""Operational measurements: the worker's self-observation, consumer lag and the dashboard's time series."""
