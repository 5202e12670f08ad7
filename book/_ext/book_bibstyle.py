"""The book's bibliography style: pybtex's plain style, with "and others" printed as "et al.".

BibTeX spells an author list that was cut short as ``A and B and others``. pybtex's plain
style prints the word "others" as if it were a name; this style drops it and ends the list
with "et al." instead, which is what a reader expects.

Its in-text citations (``book_author_year``, sphinxcontrib-bibtex's author-year style) name
an entry without author or editor by its ``shorttitle`` where it has one, rather than by
its whole title: a congress abstract's thirty-word title does not belong in a sentence.

It also remembers pybtex's plugin look-ups: pybtex finds a plugin (style, backend) by
scanning the entry points of every installed package, once per citation (about a fifth of
the book's HTML build); the answer cannot change during a build.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pybtex.plugin
import sphinxcontrib.bibtex.plugin
from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.template import (
    FieldIsMissing,
    first_of,
    join,
    node,
    optional,
    sentence,
    tag,
)
from pybtex.style.template import field as entry_field
from sphinxcontrib.bibtex.style.referencing import PersonStyle
from sphinxcontrib.bibtex.style.referencing.author_year import (
    AuthorYearReferenceStyle,
)
from sphinxcontrib.bibtex.style.template import names


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


class ShortTitlePersonStyle(PersonStyle):
    """Authors, else editors, else the ``shorttitle``, else the title (in italics)."""

    def author_or_editor_or_title(self, full: bool):
        kwargs = {
            "sep": self.sep,
            "sep2": self.sep2,
            "last_sep": self.last_sep,
            "other": None if full else self.other,
        }
        return first_of[
            optional[names("author", **kwargs)],
            optional[names("editor", **kwargs)],
            optional[tag("em")[entry_field("shorttitle")]],
            tag("em")[entry_field("title")],
        ]


@dataclass
class BookAuthorYearStyle(AuthorYearReferenceStyle):
    """sphinxcontrib-bibtex's author-year citations, with :class:`ShortTitlePersonStyle`."""

    person: PersonStyle = field(default_factory=ShortTitlePersonStyle)


def _remember_entry_points() -> None:
    """Make pybtex's entry-point scan (importlib.metadata.entry_points) run once per
    (group, name). Plugins registered at run time are looked up before it, as before."""
    scan = pybtex.plugin.entry_points
    if getattr(scan, "remembered", False):
        return
    found: dict[tuple[str, str], tuple] = {}

    def entry_points(*, group: str, name: str) -> tuple:
        if (group, name) not in found:
            found[group, name] = tuple(scan(group=group, name=name))
        return found[group, name]

    entry_points.remembered = True
    pybtex.plugin.entry_points = entry_points


def setup(app):
    register_plugin("pybtex.style.formatting", "book", BookStyle)
    sphinxcontrib.bibtex.plugin.register_plugin(
        "sphinxcontrib.bibtex.style.referencing",
        "book_author_year",
        BookAuthorYearStyle,
    )
    _remember_entry_points()
    return {"parallel_read_safe": True, "parallel_write_safe": True}
