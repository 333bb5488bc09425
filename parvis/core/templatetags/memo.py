"""`{% memo name value... %}...{% endmemo %}`: a fragment rendered once per process for each
combination of the values it names.

For the parts of the page frame that only depend on a few values (the language, whether someone
is logged in, the current page): rendering the site's header and footer costs more than some
whole pages' data. Unlike `{% cache %}`, nothing goes through the (possibly shared) cache, so a
new release can never be served an old fragment, and a memoised fragment costs a dictionary
look-up. The fragment must depend on nothing but its values: never put a CSRF token, a user's
name or data that changes inside.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

register = template.Library()

# Fragments are few (languages x logged in or not x pages): past this, render without keeping.
MAX_FRAGMENTS = 2000
_fragments: dict[tuple, SafeString] = {}


class MemoNode(template.Node):
    def __init__(self, name: str, values: list, nodelist: template.NodeList) -> None:
        self.name, self.values, self.nodelist = name, values, nodelist

    def render(self, context) -> SafeString:
        key = (self.name, *(value.resolve(context) for value in self.values))
        fragment = _fragments.get(key)
        if fragment is None:
            fragment = self.nodelist.render(context)
            if len(_fragments) < MAX_FRAGMENTS:
                _fragments[key] = fragment
        return fragment


@register.tag
def memo(parser, token) -> MemoNode:
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("'memo' takes a name, then the values it depends on")
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    return MemoNode(bits[1], [parser.compile_filter(bit) for bit in bits[2:]], nodelist)
