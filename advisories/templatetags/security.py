import re

import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ALLOWED_TAGS = {
    "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "li", "strong", "em", "a", "blockquote", "br", "hr", "code", "pre",
}  # fmt: skip


def render_markdown(text: str, top: int = 3) -> str:
    """Markdown from analysts or imported CSAF documents as HTML, sanitised by nh3: structural tags
    only, links to https/mailto only, never script, style or event attributes. The text's highest
    heading becomes an <h{top}> (the others follow it) so the page keeps its own outline without a
    skipped level: 3 under the page's <h2> sections, 2 for a document right under the <h1>."""
    html = markdown_lib.markdown(text or "", extensions=["sane_lists", "fenced_code"], output_format="html")
    levels = [int(level) for level in re.findall(r"<h([1-6])>", html)]
    if levels:
        shift = top - min(levels)
        html = re.sub(r"<(/?)h([1-6])>", lambda m: f"<{m.group(1)}h{max(2, min(int(m.group(2)) + shift, 6))}>", html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


@register.filter
def security_markdown(text: str, top: int = 3) -> SafeString:
    return mark_safe(render_markdown(text, int(top)))  # noqa: S308 - sanitised by nh3 in render_markdown
