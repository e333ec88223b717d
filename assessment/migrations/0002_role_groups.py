"""Create the three role groups, and give admins the right to edit question banks."""

from django.db import migrations

ROLE_GROUPS = ("analyst", "reviewer", "admin")


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)
    # Permissions exist only after post_migrate; create the ones admins need here.
    admin_group = Group.objects.get(name="admin")
    for app_label, models in {
        "frameworks": [
            "framework", "dimension", "question", "choice", "cooperationmodel",
            "modelprofile", "maturityband", "recommendation",
        ],
        "assessment": ["team", "partnership", "assessment", "answer"],
        # Unlocking accounts locked out by django-axes.
        "axes": ["accessattempt", "accessfailurelog"],
    }.items():  # fmt: skip
        for model in models:
            ct, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
            for action in ("add", "change", "delete", "view"):
                perm, _ = Permission.objects.get_or_create(
                    content_type=ct,
                    codename=f"{action}_{model}",
                    defaults={"name": f"Can {action} {model}"},
                )
                admin_group.permissions.add(perm)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0001_initial"),
        ("frameworks", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
