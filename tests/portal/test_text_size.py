"""The larger-text switch (适老化): a cookie the pages read, set from any page and back to it."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_larger_text_is_kept_and_every_page_shows_it(client):
    response = client.post(reverse("text-size"), {"size": "large", "next": "/institutions/register/"})
    assert response.status_code == 302 and response["Location"] == "/institutions/register/"
    assert response.cookies["text_size"].value == "large"
    page = client.get("/").content.decode()
    assert 'class="text-large"' in page and 'aria-pressed="true"' in page


def test_standard_text_removes_the_cookie(client):
    client.cookies["text_size"] = "large"
    response = client.post(reverse("text-size"), {"size": "standard", "next": "/"})
    assert response.cookies["text_size"].value == ""
    assert 'class="text-large"' not in client.get("/").content.decode()


def test_it_never_sends_the_user_to_another_site(client):
    response = client.post(reverse("text-size"), {"size": "large", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_it_changes_nothing_on_a_get(client):
    assert client.get(reverse("text-size")).status_code == 405
