import getpass
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from fangkong.accounts.choices import Role
from fangkong.accounts.models import User
from fangkong.accounts.services import create_user
from fangkong.regions.codes import canonical_code
from fangkong.regions.models import Region


class Command(BaseCommand):
    help = (
        "Create a staff account with a role and a scope region, e.g. "
        "'fangkong adduser wang --role grid_worker --region 430102001001001'. The password is "
        "asked for (or read from standard input with --password-stdin)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--region", required=True, help="the scope region's code")
        parser.add_argument("--name", default="", help="the person's full name")
        parser.add_argument("--password-stdin", action="store_true")

    def handle(self, *args, username, role, region, name, password_stdin, **options):
        if User.objects.filter(username=username).exists():
            raise CommandError(f"user {username!r} already exists")
        scope = Region.objects.filter(code=canonical_code(region)).first()
        if scope is None:
            raise CommandError(f"no region with code {region!r}")
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("the passwords differ")
        user = User(username=username, role=role, scope_region=scope)
        try:
            validate_password(password, user)
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from None
        create_user(
            username=username, password=password, role=role, scope_region=scope, full_name=name
        )
        self.stdout.write(f"created {username}: {Role(role).label} of {scope.name} ({scope.code})")
