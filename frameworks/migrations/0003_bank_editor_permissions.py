"""Give the bank permissions to the `admin` role group and a new `bank editor` group.

The bank editor (/banks/) checks `frameworks.change_framework`; a bank is edited as a
whole, so both groups get add, change, delete and view on every part of a bank.
"""

from django.db import migrations

GROUPS = ("admin", "bank editor")
MODELS = (
    "framework", "dimension", "question", "choice", "cooperationmodel", "modelprofile",
    "modelcondition", "redline", "maturityband", "recommendation",
)  # fmt: skip


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    # Permissions exist only after post_migrate; create the ones needed here.
    permissions = []
    for model in MODELS:
        ct, _ = ContentType.objects.get_or_create(app_label="frameworks", model=model)
        for action in ("add", "change", "delete", "view"):
            perm, _ = Permission.objects.get_or_create(
                content_type=ct,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {model}"},
            )
            permissions.append(perm)
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name="bank editor").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("frameworks", "0002_bank_v2_keys"),
        ("assessment", "0002_role_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
