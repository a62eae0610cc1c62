from network.core.markdown import render_markdown


def test_markdown_keeps_what_people_use():
    html = render_markdown(
        "**bold** and *em*\n\n- one\n- two\n\n> quoted\n\n[site](https://example.org)")
    assert "<strong>bold</strong>" in html and "<em>em</em>" in html
    assert "<li>one</li>" in html and "<blockquote>" in html
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer ugc">site</a>' in html


def test_raw_html_is_shown_as_text_not_run():
    html = render_markdown("<b onclick=x()>hi</b> <script>alert(1)</script>")
    assert "<b" not in html and "<script" not in html
    assert "&lt;script&gt;" in html


def test_unsafe_links_and_images_are_dropped():
    html = render_markdown("[x](javascript:alert(1)) ![img](https://evil.example/t.png)")
    assert "href=\"javascript" not in html
    assert "<img" not in html


def test_headings_start_below_the_page_headings():
    assert "<h3>Title</h3>" in render_markdown("# Title")
    assert render_markdown("") == "" and render_markdown(None) == ""
