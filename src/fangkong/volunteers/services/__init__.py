"""Every change to volunteers: registration and approval, teams, shifts and their hours."""

from .errors import VolunteerInvalid
from .registry import Profile, Registered, check_register, clean_profile

__all__ = ["Profile", "Registered", "VolunteerInvalid", "check_register", "clean_profile"]
