from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Serve Fangkong with granian (a production WSGI server) on HOST:PORT. With more than one "
        "worker process, set FANGKONG_CACHE_URL to a Redis server so that login limits, "
        "residents' report limits and upload progress are shared between the workers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1, help="worker processes")
        parser.add_argument(
            "--threads",
            type=int,
            default=2,
            help="threads per worker (2: requests are mostly Python work, and more threads per "
            "process only contend for it — 8 threads made p99 2.5x worse in bench.health)",
        )

    def handle(self, *args, host, port, workers, threads, **options):
        from granian import Granian
        from granian.constants import Interfaces

        self.stdout.write(f"Fangkong on http://{host}:{port}/  (Ctrl+C stops)")
        Granian(
            "fangkong.wsgi:application",
            interface=Interfaces.WSGI,
            address=host,
            port=port,
            workers=workers,
            blocking_threads=threads,
            websockets=False,
        ).serve()
