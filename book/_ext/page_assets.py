"""Assets only where a page uses them: MathJax on pages with maths, and only the icons shown.

MathJax (about 270 KB compressed): Sphinx loads it on a page with maths and also on every
page whose toctree includes one, which for the book's root page is every chapter. In the
multi-page HTML build this extension asks only whether the page itself has maths (the
singlehtml build, which puts every chapter on the root page, keeps Sphinx's rule).

Icons: the theme declares the whole Font Awesome fonts (solid 156 KB and brands 118 KB, woff2)
and every page downloads them for a dozen header and admonition icons. After the HTML
build this extension writes subsets of those fonts holding only the code points that the
pages' ``fa-*`` classes and the theme's CSS use, and ``_static/icons/icons.css``, loaded
after the theme's CSS, which declares each subset under the theme's family, weight and
style with a ``unicode-range``: the browser takes a used icon from the subset, and would
fetch a full font only for a glyph outside it (the browser suite's page weight would show
that). A build whose theme no longer lists its icons logs a warning, so `-W` fails it.

Hover previews (sphinx-tippy) only in the multi-page HTML: not in the singlehtml build that
`make pdf` prints.
"""

from __future__ import annotations

import re
from pathlib import Path

from sphinx.domains.math import MathDomain
from sphinx.util import logging

LOGGER = logging.getLogger(__name__)
CSS = "icons/icons.css"
# (family, weight) -> font file stem in _static/vendor/fontawesome/webfonts/
FONTS = {
    ("Font Awesome 6 Free", 900): "fa-solid-900",
    ("Font Awesome 6 Free", 400): "fa-regular-400",
    ("Font Awesome 6 Brands", 400): "fa-brands-400",
}
WEBFONTS = Path("_static", "vendor", "fontawesome", "webfonts")
# The theme's CSS defines every icon class: .fa-bars:before,.fa-navicon:before{content:"\f0c9"}
ICON_RULE = re.compile(
    r'((?:\.fa-[a-z0-9-]+:{1,2}before,?)+)\{content:"\\([0-9a-f]{4})"\}'
)
# Any other icon escape in a stylesheet is an icon that CSS draws (admonitions, links).
CSS_ESCAPE = re.compile(r'"\\([ef][0-9a-f]{3})"', re.I)
FA_TOKEN = re.compile(r"\bfa-([a-z0-9-]+)")
PRIVATE_USE = (0xE000, 0xF8FF)
# The theme ships Font Awesome's own script (every icon's name) but pages do not load it.
NOT_LOADED = {"fontawesome.js"}


def used_code_points(outdir: Path) -> set[int]:
    """Code points of the icons the book can show: every fa-* class named on a page or in
    a script, and every icon character (private use area, literal or escaped) in a
    stylesheet outside the icon class rules (admonition and link icons)."""
    names: dict[str, int] = {}
    points: set[int] = set()
    for sheet in (outdir / "_static").rglob("*.css"):
        text = sheet.read_text(encoding="utf-8")
        for selectors, code in ICON_RULE.findall(text):
            for name in re.findall(r"\.fa-([a-z0-9-]+)", selectors):
                names[name] = int(code, 16)
        rest = ICON_RULE.sub("", text)
        points |= {int(code, 16) for code in CSS_ESCAPE.findall(rest)}
        points |= {
            ord(char) for char in rest if PRIVATE_USE[0] <= ord(char) <= PRIVATE_USE[1]
        }
    if not names:
        raise ValueError("no icon classes found in the theme's CSS")
    # Pages, and the theme's and extensions' own scripts (not the vendored libraries in
    # subfolders: MathJax, BokehJS, tippy.js draw no Font Awesome icons).
    static = outdir / "_static"
    sources = [
        *outdir.rglob("*.html"),
        *static.glob("*.js"),
        *static.glob("scripts/*.js"),
    ]
    for source in sources:
        if source.name in NOT_LOADED:
            continue
        tokens = FA_TOKEN.findall(source.read_text(encoding="utf-8", errors="replace"))
        points |= {names[token] for token in tokens if token in names}
    return points


def subset(source: Path, target: Path, points: set[int]) -> list[int]:
    """Write the glyphs of ``points`` that ``source`` has to ``target`` (WOFF); return them."""
    from fontTools import subset as ft_subset
    from fontTools.ttLib import TTFont

    font = TTFont(source)
    present = sorted(points & set(font.getBestCmap()))
    options = ft_subset.Options()
    options.flavor = "woff"
    options.layout_features = []
    options.name_IDs = ["*"]  # keep the licence and names
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(unicodes=present)
    subsetter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    font.flavor = "woff"
    font.save(target)
    return present


def write_icons(outdir: Path) -> str:
    """Write the subsets and icons.css into outdir/_static/icons; return icons.css."""
    points = used_code_points(outdir)
    rules = []
    for (family, weight), stem in FONTS.items():
        source = outdir / WEBFONTS / f"{stem}.ttf"
        if not source.is_file():
            raise ValueError(f"the theme no longer ships {source.name}")
        present = subset(source, outdir / "_static" / "icons" / f"{stem}.woff", points)
        ranges = ", ".join(f"U+{point:X}" for point in present)
        rules.append(
            f'@font-face {{ font-family: "{family}"; font-style: normal; '
            f"font-weight: {weight}; font-display: block; "
            f'src: url("{stem}.woff") format("woff"); unicode-range: {ranges}; }}'
        )
    css = "/* Generated by book/_ext/page_assets.py: the icons the book uses. */\n"
    css += "\n".join(rules) + "\n"
    (outdir / "_static" / CSS).write_text(css, encoding="utf-8")
    return css


_SPHINX_HAS_EQUATIONS = MathDomain.has_equations
_PAGE_BY_PAGE = {"on": False}


def has_equations(self, docname: str | None = None) -> bool:
    """In the HTML build: whether the page itself has maths (see the module docstring)."""
    if _PAGE_BY_PAGE["on"] and docname:
        return self.data["has_equations"].get(docname, False)
    return _SPHINX_HAS_EQUATIONS(self, docname)


def builder_inited(app) -> None:
    _PAGE_BY_PAGE["on"] = app.builder.name == "html"
    app.env.page_assets_pages_written = False
    if app.builder.name != "html":
        drop_hover_previews(app)


def drop_hover_previews(app) -> None:
    """No hover previews (sphinx-tippy) outside the multi-page HTML: the singlehtml build
    is printed (`make pdf`), where nothing hovers, and tippy's parsing of its one page
    was a third of that build."""
    for event in ("html-page-context", "build-finished"):
        for listener in list(app.events.listeners.get(event, [])):
            if getattr(listener.handler, "__module__", "") == "sphinx_tippy":
                app.disconnect(listener.id)


def page_written(app, *args) -> None:
    app.env.page_assets_pages_written = True  # reset in builder_inited


def build_finished(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    # A rebuild that wrote no page (nothing changed) keeps the icons it has.
    written = getattr(app.env, "page_assets_pages_written", False)
    if not written and (Path(app.outdir) / "_static" / CSS).is_file():
        return
    try:
        write_icons(Path(app.outdir))
    except (OSError, ValueError) as error:
        LOGGER.warning(f"icon subset not written, pages load the full fonts: {error}")


def setup(app):
    # Last in the head, after the theme's own @font-face rules.
    app.add_css_file(CSS, priority=900)
    MathDomain.has_equations = has_equations
    app.connect("builder-inited", builder_inited)
    app.connect("html-page-context", page_written)
    app.connect("build-finished", build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
