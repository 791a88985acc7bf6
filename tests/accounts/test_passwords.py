"""Password rules: Argon2id at OWASP's parameters, 8 characters at least, long ones
accepted, common ones refused."""

import time

import pytest

from workflows import accounts


def test_hash_is_argon2id_at_owasp_parameters():
    h = accounts.hash_password("une phrase assez longue")
    assert h.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_hashing_stays_cheap_enough_for_a_booking_opening():
    accounts.hash_password("échauffement")
    start = time.perf_counter()
    for _ in range(5):
        accounts.hash_password("une phrase assez longue")
    assert (time.perf_counter() - start) / 5 < 0.15  # about 25 ms here; loose for slow CI


@pytest.mark.parametrize(
    "password",
    ["court", "1234567", "azertyuiop", "Password1", "motdepasse", "aaaaaaaaaaaa", "12345678"],
)
def test_short_or_common_passwords_are_refused(password):
    assert accounts.password_problem(password) is not None


def test_the_email_is_not_a_password():
    assert accounts.password_problem("camille@exemple.fr", "camille@exemple.fr")
    assert accounts.password_problem("camille", "camille@exemple.fr")  # too short anyway


@pytest.mark.parametrize(
    "password", ["huit car", "les cerises de mon jardin", "é-à" * 22, "x1" * 100]
)
def test_good_and_long_passwords_are_accepted(password):
    assert accounts.password_problem(password) is None
    assert accounts.hash_password(password).startswith("$argon2id$")


def test_messages_are_french():
    assert "au moins 8 caractères" in accounts.password_problem("court")
    assert "trop courant" in accounts.password_problem("azertyuiop")
