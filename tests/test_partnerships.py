"""The partnership form: what a partnership must name."""

from django.urls import reverse

from assessment.models import Partnership

from .factories import login


def _create(client, team, countries):
    return client.post(
        reverse("assessment:partnership_new"),
        {"name": "Coastal", "countries": countries, "declared_model": "informal", "team": team.pk},
    )


def test_a_country_listed_twice_is_refused_with_its_name(client, owner, team):
    login(client, owner)
    response = _create(client, team, "France, Mali, Niger, france")
    assert response.status_code == 400
    assert "Each country once: france is listed more than once." in response.content.decode()
    assert not Partnership.objects.filter(name="Coastal").exists()


def test_countries_are_stored_trimmed_and_comma_separated(client, owner, team):
    login(client, owner)
    assert _create(client, team, " France ,Mali,, Niger ").status_code == 302
    assert Partnership.objects.get(name="Coastal").countries == "France, Mali, Niger"


def test_one_country_is_not_a_partnership(client, owner, team):
    login(client, owner)
    response = _create(client, team, "France")
    assert "Name at least two partner countries" in response.content.decode()
    assert not Partnership.objects.filter(name="Coastal").exists()
