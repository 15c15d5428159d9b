import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ALLOWED_TAGS = {"h1", "h2", "h3", "h4", "p", "ul", "ol", "li", "strong", "em", "a", "blockquote", "br", "hr", "code"}


@register.filter
def markdown(text: str) -> SafeString:
    """Terms text (Markdown) as HTML, sanitised: only structural tags survive, never script or style.
    Headings move down two levels so the page keeps one <h1> and each document its own <h2>."""
    html = markdown_lib.markdown(text or "", extensions=["sane_lists"], output_format="html")
    for level in (4, 3, 2, 1):
        html = html.replace(f"<h{level}>", f"<h{min(level + 2, 6)}>").replace(
            f"</h{level}>", f"</h{min(level + 2, 6)}>"
        )
    cleaned = nh3.clean(
        html, tags=ALLOWED_TAGS | {"h5", "h6"}, attributes={"a": {"href"}}, url_schemes={"https", "mailto"}
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 just above
