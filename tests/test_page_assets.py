"""book/_ext/page_assets.py: MathJax only on pages with maths, and only the icon glyphs in use.

The browser suite measures the result on the real book (page weight, the files each page
requests); these tests pin the two rules on small inputs."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import SimpleNamespace

import pydata_sphinx_theme
import pytest
from fontTools.ttLib import TTFont
from sphinx.domains.math import MathDomain

REPO = Path(__file__).resolve().parents[1]
THEME_FONTS = (
    Path(pydata_sphinx_theme.__file__).parent
    / "theme/pydata_sphinx_theme/static/vendor/fontawesome/webfonts"
)
BARS, GITHUB, BELL = 0xF0C9, 0xF09B, 0xF0F3


@pytest.fixture(scope="module")
def assets():
    spec = importlib.util.spec_from_file_location(
        "page_assets", REPO / "book" / "_ext" / "page_assets.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
    MathDomain.has_equations = module._SPHINX_HAS_EQUATIONS


def fake_build(root: Path) -> Path:
    """An HTML output with the theme's fonts, an icon class rule, a CSS-drawn icon and a page."""
    static = root / "_static"
    (static / "styles").mkdir(parents=True)
    (static / "vendor" / "fontawesome").mkdir(parents=True)
    (static / "vendor" / "fontawesome" / "webfonts").symlink_to(THEME_FONTS)
    (static / "styles" / "theme.css").write_text(
        '.fa-bars:before,.fa-navicon:before{content:"\\f0c9"}'
        '.fa-github:before{content:"\\f09b"}.fa-rocket:before{content:"\\f135"}'
        ':root{--pst-icon-bell:"\uf0f3"}',
        encoding="utf-8",
    )
    (root / "page.html").write_text(
        '<i class="fa-solid fa-navicon"></i><i class="fab fa-github"></i>'
    )
    return root


def test_the_used_icons_are_the_classes_on_pages_and_the_icons_css_draws(
    assets, tmp_path
):
    points = assets.used_code_points(fake_build(tmp_path))
    assert points == {BARS, GITHUB, BELL}  # not the unused rocket


def test_the_subsets_hold_the_used_glyphs_only(assets, tmp_path):
    out = fake_build(tmp_path)
    css = assets.write_icons(out)
    solid = TTFont(out / "_static" / "icons" / "fa-solid-900.woff")
    brands = TTFont(out / "_static" / "icons" / "fa-brands-400.woff")
    assert set(solid.getBestCmap()) == {BARS, BELL}
    assert set(brands.getBestCmap()) == {GITHUB}
    assert (out / "_static" / "icons" / "fa-solid-900.woff").stat().st_size < 10_000
    assert "U+F0C9" in css and "U+F135" not in css
    assert css.count("@font-face") == len(assets.FONTS)


def test_maths_loads_only_where_the_page_itself_has_maths(assets):
    domain = SimpleNamespace(
        data={"has_equations": {"chapter": True, "root": False}},
        env=SimpleNamespace(toctree_includes={"root": ["chapter"]}),
        has_equations=lambda docname=None: MathDomain.has_equations(domain, docname),
    )
    assets.setup(
        SimpleNamespace(add_css_file=lambda *a, **k: None, connect=lambda *a: None)
    )
    html = SimpleNamespace(builder=SimpleNamespace(name="html"), env=SimpleNamespace())
    assets.builder_inited(html)
    assert MathDomain.has_equations(domain, "chapter")
    assert not MathDomain.has_equations(domain, "root")
    # singlehtml puts every chapter on the root page: Sphinx's rule applies
    assets.builder_inited(
        SimpleNamespace(
            builder=SimpleNamespace(name="singlehtml"),
            env=SimpleNamespace(),
            events=SimpleNamespace(listeners={}),
        )
    )
    assert MathDomain.has_equations(domain, "root")


def test_a_rebuild_that_wrote_no_page_keeps_its_icons(assets, tmp_path):
    out = fake_build(tmp_path)
    app = SimpleNamespace(
        builder=SimpleNamespace(name="html", format="html"),
        env=SimpleNamespace(),
        outdir=str(out),
    )
    assets.builder_inited(app)
    assets.page_written(app)
    assets.build_finished(app, None)
    css = out / "_static" / assets.CSS
    assert "U+F0C9" in css.read_text()
    css.write_text("/* kept */")
    assets.builder_inited(app)  # the next build: nothing changed, no page written
    assets.build_finished(app, None)
    assert css.read_text() == "/* kept */"
    assets.page_written(app)  # a page changed: the icons are collected again
    assets.build_finished(app, None)
    assert "U+F0C9" in css.read_text()


def test_the_printed_build_has_no_hover_previews(assets):
    from sphinx.events import EventListener

    def tippy_handler(*args):
        pass

    def other_handler(*args):
        pass

    tippy_handler.__module__ = "sphinx_tippy"
    listeners = {
        "html-page-context": [
            EventListener(1, tippy_handler, 450),
            EventListener(2, other_handler, 500),
        ],
        "build-finished": [EventListener(3, tippy_handler, 500)],
    }
    dropped = []
    app = SimpleNamespace(
        builder=SimpleNamespace(name="singlehtml"),
        env=SimpleNamespace(),
        events=SimpleNamespace(listeners=listeners),
        disconnect=dropped.append,
    )
    assets.builder_inited(app)
    assert sorted(dropped) == [1, 3]
    dropped.clear()
    app.builder.name = "html"
    assets.builder_inited(app)
    assert dropped == []
