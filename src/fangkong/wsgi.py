import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
application = get_wsgi_application()

from fangkong.accounts.services import run_view_log_timer  # noqa: E402

run_view_log_timer()  # the read log is flushed on a timer and at exit in a server process
