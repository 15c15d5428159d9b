import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ALLOWED_TAGS = {
    "h3", "h4", "h5", "h6", "p", "ul", "ol", "li", "strong", "em", "a", "blockquote", "br", "hr", "code", "pre",
}  # fmt: skip


def render_markdown(text: str) -> str:
    """Markdown from analysts or imported CSAF documents as HTML, sanitised by nh3: structural tags
    only, links to https/mailto only, never script, style or event attributes. Headings start at
    <h3> so the page keeps its own outline."""
    html = markdown_lib.markdown(text or "", extensions=["sane_lists", "fenced_code"], output_format="html")
    for level in (4, 3, 2, 1):
        html = html.replace(f"<h{level}>", f"<h{min(level + 2, 6)}>").replace(
            f"</h{level}>", f"</h{min(level + 2, 6)}>"
        )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


@register.filter
def security_markdown(text: str) -> SafeString:
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3 in render_markdown
