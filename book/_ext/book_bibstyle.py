"""The book's bibliography style: pybtex's plain style, with "and others" printed as "et al.".

BibTeX spells an author list that was cut short as ``A and B and others``. pybtex's plain
style prints the word "others" as if it were a name; this style drops it and ends the list
with "et al." instead, which is what a reader expects.
"""

from __future__ import annotations

from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.template import FieldIsMissing, join, node, sentence


@node
def names_et_al(children, context, role):
    """The persons in ``role``, joined as the plain style does, with "et al." for "others"."""
    assert not children
    entry = context["entry"]
    try:
        persons = entry.persons[role]
    except KeyError:
        raise FieldIsMissing(role, entry) from None
    style = context["style"]
    named = [person for person in persons if str(person).strip().lower() != "others"]
    formatted = [style.format_name(person, style.abbreviate_names) for person in named]
    if len(named) < len(persons):  # "A, B, C, et al."
        return Text(join(sep=", ")[formatted].format_data(context), ", et al.")
    return join(sep=", ", sep2=" and ", last_sep=", and ")[formatted].format_data(
        context
    )


class BookStyle(PlainStyle):
    """Plain style whose author and editor lists end in "et al." where BibTeX says "others"."""

    default_sorting_style = "author_year_title"

    def format_names(self, role, as_sentence=True):
        formatted = names_et_al(role)
        return sentence[formatted] if as_sentence else formatted


def setup(app):
    register_plugin("pybtex.style.formatting", "book", BookStyle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
