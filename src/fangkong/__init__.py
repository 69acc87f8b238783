"""Fangkong (防控): the command desk of a city or county epidemic response."""

__version__ = "0.1.0"
