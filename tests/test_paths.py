"""path(), the cheap url_for for lists, gives exactly url_for's address."""

from __future__ import annotations

import pytest
from flask import url_for

from network.core.templating import path

CASES = [
    ("forum.post", {"post_id": 7}),
    ("forum.post", {"post_id": 2147483647}),
    ("forum.edit_post", {"post_id": 12}),
    ("forum.thread", {"thread_id": 3, "slug": "hall-for-hire", "quote": 9}),
    ("forum.thread", {"thread_id": 3, "slug": "x"}),
    ("members.organisation", {"org_id": 4, "slug": "alpha-tenants"}),
    ("members.directory", {}),
    ("forum.thread", {"thread_id": 3, "slug": "Not A Slug?"}),  # left to url_for
]


@pytest.mark.parametrize("script_root", ["", "/network"])
def test_path_is_url_for(sqlite_app, script_root):
    with sqlite_app.test_request_context(base_url=f"http://localhost{script_root}"):
        for endpoint, values in CASES * 2:  # built, then filled in
            assert path(endpoint, **values) == url_for(endpoint, **values), (endpoint, values)
