"""One analyst's journey through the test client, end to end."""

from django.urls import reverse

from assessment.models import Assessment, Partnership

from .factories import answer_all, login


def test_analyst_goes_from_partnership_to_approved_assessment(client, bank, owner, reviewer, team):
    login(client, owner)
    response = client.post(
        reverse("assessment:partnership_new"),
        {
            "name": "Gulf CT Pact",
            "countries": "Qatar, Oman",
            "declared_model": "bilateral",
            "description": "",
            "team": team.pk,
        },
    )
    assert response.status_code == 302
    partnership = Partnership.objects.get(name="Gulf CT Pact")
    response = client.post(
        reverse("assessment:assessment_new"),
        {"partnership": partnership.pk, "framework": bank.pk, "marking": "RESTRICTED"},
    )
    assessment = Assessment.objects.get(partnership=partnership)
    assert response.url == reverse("assessment:questionnaire", args=[assessment.pk])
    assert client.get(response.url).status_code == 200
    answer_all(assessment, owner)
    assert client.get(reverse("assessment:review", args=[assessment.pk])).status_code == 200
    response = client.post(reverse("assessment:submit", args=[assessment.pk]))
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == "submitted"

    login(client, reviewer)
    response = client.post(
        reverse("assessment:decide", args=[assessment.pk]), {"decision": "approve", "comment": ""}
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == "approved"

    login(client, owner)
    results = client.get(reverse("assessment:results", args=[assessment.pk]))
    assert results.status_code == 200
    assert b"<svg" in results.content
    pdf = client.get(reverse("assessment:export_pdf", args=[assessment.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.getvalue().startswith(b"%PDF")
