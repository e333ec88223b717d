"""Single choice, Likert and yes/no answers move their option from the M2M to `choice`."""

from django.db import migrations

SINGLE_KINDS = ("single", "likert", "yesno")


def forwards(apps, schema_editor):
    Answer = apps.get_model("assessment", "Answer")
    Through = Answer.choices.through
    links = Through.objects.filter(answer__question__kind__in=SINGLE_KINDS)
    chosen = dict(links.values_list("answer_id", "choice_id"))
    answers = list(Answer.objects.filter(pk__in=chosen))
    for answer in answers:
        answer.choice_id = chosen[answer.pk]
    Answer.objects.bulk_update(answers, ["choice"], batch_size=500)
    links.delete()


def backwards(apps, schema_editor):
    Answer = apps.get_model("assessment", "Answer")
    Through = Answer.choices.through
    rows = Answer.objects.filter(choice__isnull=False).values_list("pk", "choice_id")
    Through.objects.bulk_create(
        [Through(answer_id=pk, choice_id=choice_id) for pk, choice_id in rows], batch_size=500
    )


class Migration(migrations.Migration):
    dependencies = [("assessment", "0004_answer_choice_and_confidence")]

    operations = [migrations.RunPython(forwards, backwards)]
