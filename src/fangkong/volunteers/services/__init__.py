"""Every change to volunteers: registration and approval, teams, posts, shifts and hours."""

from .applications import (
    campaign_token,
    check_apply,
    check_approve,
    check_decline,
    region_of_token,
)
from .errors import VolunteerInvalid
from .registry import Profile, Registered, check_register, clean_profile
from .shifts import (
    check_correct,
    check_plan,
    check_sign_in,
    check_sign_out,
    close_forgotten,
    is_forgotten,
    recount,
    team_of,
)
from .teams import (
    check_add_member,
    check_create_post,
    check_create_team,
    check_remove_member,
    check_set_leader,
)

__all__ = [
    "Profile",
    "Registered",
    "VolunteerInvalid",
    "campaign_token",
    "check_add_member",
    "check_apply",
    "check_approve",
    "check_correct",
    "check_create_post",
    "check_create_team",
    "check_decline",
    "check_plan",
    "check_register",
    "check_remove_member",
    "check_set_leader",
    "check_sign_in",
    "check_sign_out",
    "clean_profile",
    "close_forgotten",
    "is_forgotten",
    "recount",
    "region_of_token",
    "team_of",
]
