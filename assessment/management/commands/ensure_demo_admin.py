import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from assessment.models import Team
from assessment.roles import ADMIN


class Command(BaseCommand):
    help = "Create a local admin account if no superuser exists, and print its password once."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="where to log in")

    def handle(self, *args, username: str, url: str, **options):
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write("An admin account already exists; log in with it.")
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_superuser(username=username, email="", password=password)
        user.groups.add(Group.objects.get_or_create(name=ADMIN)[0])
        team, _created = Team.objects.get_or_create(name="Demo team")
        team.members.add(user)
        bar = "=" * 60
        self.stdout.write(
            f"{bar}\nCreated a local admin account (shown only this once):\n"
            f"  username: {username}\n  password: {password}\n"
            f"Log in at {url} and change it under your user name.\n{bar}"
        )
