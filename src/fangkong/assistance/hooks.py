"""What assistance registers with the shared mechanisms, from ``AssistanceConfig.ready``: its
step of the escalation timer, its section of the daily report, the resident page's "ask for
help" and the figure the volunteers' league reads."""

from __future__ import annotations


def register() -> None:
    from fangkong.common.timers import register_step
    from fangkong.health.resident_extras import register_resident_section

    from .report import register_section
    from .services.escalation import escalate_overdue_requests
    from .views.resident import resident_section

    register_step("help requests", escalate_overdue_requests)
    register_resident_section(resident_section)
    register_section()
    _register_league()


def _register_league() -> None:
    """The league's "requests done, on time" per team (volunteers.league, when it is there)."""
    try:
        from fangkong.volunteers.league import register_done
    except ImportError:  # the volunteers app without its league yet
        return
    from .selectors import team_done

    register_done(team_done)
