"""Failed logins are limited per account and per address, in the database or in Redis."""

from __future__ import annotations

import pytest

from tests.conftest import REDIS_URL

STORES = [
    pytest.param(None, id="database"),
    pytest.param("redis", id="redis", marks=pytest.mark.skipif(
        not REDIS_URL, reason="Redis tests skipped: TEST_REDIS_URL is not set")),
]


@pytest.fixture(params=STORES)
def limited_app(request, make_app):
    redis_url = REDIS_URL if request.param == "redis" else None
    if redis_url:
        import redis

        redis.Redis.from_url(redis_url).flushdb()
    app = make_app(REDIS_URL=redis_url, LOGIN_LIMIT_PER_ACCOUNT=(3, 900),
                   LOGIN_CEILING_PER_ACCOUNT=(6, 3600), LOGIN_LIMIT_PER_ADDRESS=(5, 900),
                   RESET_LIMIT_PER_ADDRESS=(2, 3600))
    with app.app_context():
        yield app


def fail(client, email, address="192.0.2.1"):
    return client.post("/login", data={"email": email, "password": "wrong password!"},
                       environ_base={"REMOTE_ADDR": address})


def test_the_fourth_failure_on_one_account_gets_429_with_a_clear_message(limited_app):
    from tests.factories import PASSWORD, build_world

    world = build_world()
    client = limited_app.test_client()
    for _ in range(3):
        assert fail(client, world.member.email).status_code == 422
    blocked = client.post("/login", data={"email": world.member.email, "password": PASSWORD},
                          environ_base={"REMOTE_ADDR": "192.0.2.1"})
    assert blocked.status_code == 429
    text = blocked.get_data(as_text=True)
    assert "Too many failed attempts to log in" in text and "15 minutes" in text
    assert 0 < int(blocked.headers["Retry-After"]) <= 900
    # Even the right password waits: otherwise the limit tells a guesser when they are right.
    assert limited_app.test_client().get("/dashboard").status_code == 302
    # Another account from another address is not affected.
    ok = limited_app.test_client().post("/login", data={"email": world.contact.email,
                                                        "password": PASSWORD},
                                        environ_base={"REMOTE_ADDR": "192.0.2.99"})
    assert ok.status_code == 303


def log_in_from(app, person, address):
    from tests.factories import PASSWORD

    return app.test_client().post("/login", data={"email": person.email, "password": PASSWORD},
                                  environ_base={"REMOTE_ADDR": address})


def test_a_stranger_failing_on_an_account_does_not_keep_its_owner_out(limited_app):
    from tests.factories import build_world

    world = build_world()
    stranger = limited_app.test_client()
    for _ in range(3):
        assert fail(stranger, world.member.email, "198.51.100.7").status_code == 422
    assert fail(stranger, world.member.email, "198.51.100.7").status_code == 429
    # The owner, at home, where no one has failed on this account: straight in.
    assert log_in_from(limited_app, world.member, "192.0.2.50").status_code == 303
    # Another address gets one try, then is held like the first.
    assert fail(stranger, world.member.email, "198.51.100.8").status_code == 422
    assert fail(stranger, world.member.email, "198.51.100.8").status_code == 429


def test_past_the_ceiling_an_account_is_held_from_every_address(limited_app):
    from tests.factories import build_world

    world = build_world()
    client = limited_app.test_client()
    for n in range(6):  # one failure each from six addresses: the ceiling
        assert fail(client, world.member.email, f"198.51.100.{n}").status_code == 422
    assert log_in_from(limited_app, world.member, "192.0.2.50").status_code == 429
    assert log_in_from(limited_app, world.contact, "192.0.2.50").status_code == 303


def test_one_address_trying_many_accounts_is_limited(limited_app):
    client = limited_app.test_client()
    for n in range(5):
        assert fail(client, f"guess{n}@example.org").status_code == 422
    assert fail(client, "guess-more@example.org").status_code == 429
    assert fail(client, "guess-more@example.org", address="192.0.2.2").status_code == 422


def test_a_success_clears_the_count_of_that_address_only(limited_app):
    from tests.factories import PASSWORD, build_world

    world = build_world()
    client = limited_app.test_client()
    for _ in range(2):
        fail(client, world.member.email)
    assert client.post("/login", data={"email": world.member.email, "password": PASSWORD},
                       environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code == 303
    client.post("/logout", environ_base={"REMOTE_ADDR": "192.0.2.1"})
    # The account has failed twice in the window; the third failure reaches the limit, and
    # the address that made it is held, like any address that has failed on the account.
    assert fail(client, world.member.email).status_code == 422
    assert fail(client, world.member.email).status_code == 429
    assert log_in_from(limited_app, world.member, "192.0.2.3").status_code == 303


def test_limits_hold_across_workers(limited_app, make_app):
    """Two app instances (two gunicorn workers) share one count."""
    from tests.factories import build_world

    world = build_world()
    other_worker = make_app(REDIS_URL=limited_app.config["REDIS_URL"],
                            LOGIN_LIMIT_PER_ACCOUNT=(3, 900))
    fail(limited_app.test_client(), world.member.email)
    fail(other_worker.test_client(), world.member.email)
    fail(limited_app.test_client(), world.member.email)
    assert fail(other_worker.test_client(), world.member.email).status_code == 429


def test_password_reset_requests_are_limited(limited_app):
    client = limited_app.test_client()
    for _ in range(2):
        assert client.post("/password/forgot", data={"email": "a@example.org"}).status_code == 303
    response = client.post("/password/forgot", data={"email": "a@example.org"})
    assert response.status_code == 429
    assert "Too many requests" in response.get_data(as_text=True)



def test_with_redis_gone_logins_work_and_the_limit_still_counts(make_app, clock, caplog):
    """REDIS_URL names a port nothing listens on: a warning in the log, and the database
    counts instead, shared by every worker (docs/decisions.md, 2026-12-06)."""
    import logging

    from network.core.throttle import ThrottleHit
    from network.extensions import db
    from tests.conftest import free_port
    from tests.factories import build_world

    gone = f"redis://127.0.0.1:{free_port()}/0"
    app = make_app(REDIS_URL=gone, LOGIN_LIMIT_PER_ACCOUNT=(3, 900))
    other_worker = make_app(REDIS_URL=gone, LOGIN_LIMIT_PER_ACCOUNT=(3, 900))
    with app.app_context(), caplog.at_level(logging.WARNING, logger="network.throttle"):
        world = build_world()
        assert app.test_client().get("/login").status_code == 200
        assert log_in_from(app, world.contact, "192.0.2.9").status_code == 303
        for worker in (app, other_worker, app):
            assert fail(worker.test_client(), world.member.email).status_code == 422
        assert fail(other_worker.test_client(), world.member.email).status_code == 429
        assert log_in_from(other_worker, world.member, "192.0.2.1").status_code == 429
        db.session.rollback()
        assert db.session.scalar(db.select(db.func.count()).select_from(ThrottleHit)) == 12
        found_gone = [r.getMessage() for r in caplog.records if r.name == "network.throttle"]
        assert len(found_gone) == 1 and "Redis cannot be reached" in found_gone[0]
        # Redis is asked again a while later (and found gone again), not at every attempt.
        clock.advance(seconds=31)
        assert fail(app.test_client(), world.member.email).status_code == 429
        assert len([r for r in caplog.records if r.name == "network.throttle"]) == 2
