"""The book's figure style: palette, scenario colours, and legibility on a phone."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from cart_autoimmunity.figures import style  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_palette_is_okabe_ito_and_scenarios_keep_their_colour():
    assert style.OKABE_ITO["blue"] == "#0072B2"
    assert set(style.SCENARIO_COLOURS.values()) <= set(style.OKABE_ITO.values())
    assert style.scenario_colour("autoimmune") == style.OKABE_ITO["blue"]
    with pytest.raises(ValueError, match="unknown scenario"):
        style.scenario_colour("martian")


def test_new_figure_uses_the_book_style():
    fig, ax = style.new_figure()
    assert tuple(fig.get_size_inches()) == style.FIGURE_SIZE_IN
    assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    assert matplotlib.rcParams["legend.fontsize"] == style.SMALL_FONT_PT


def test_use_book_style_sets_the_defaults_a_chapter_draws_with():
    with matplotlib.rc_context({"figure.facecolor": "black", "legend.frameon": True}):
        style.use_book_style()
        assert matplotlib.rcParams["figure.facecolor"] == "white"
        assert matplotlib.rcParams["legend.frameon"] is False
        assert matplotlib.rcParams["savefig.dpi"] == style.FIGURE_DPI
        assert tuple(matplotlib.rcParams["figure.figsize"]) == style.FIGURE_SIZE_IN


def test_phone_text_size_follows_font_and_width():
    assert style.phone_text_px(72, style.PHONE_FIGURE_PX / 72) == pytest.approx(72)
    assert style.phone_text_px(11, 6.4) > style.phone_text_px(11, 7.2)
    with pytest.raises(ValueError, match="font_pt must be > 0"):
        style.phone_text_px(0, 6.4)


def test_the_smallest_book_font_is_legible_on_the_widest_book_figure():
    widest_saved = style.MAX_FIGURE_WIDTH_IN + 0.2  # tight box padding on both sides
    assert (
        style.phone_text_px(style.SMALL_FONT_PT, widest_saved)
        >= style.MIN_PHONE_TEXT_PX
    )


def test_a_figure_too_wide_for_a_phone_is_refused():
    with pytest.raises(ValueError, match="phone legibility"):
        style.new_figure(width_in=7.2)


def test_text_drawn_outside_the_axes_widens_the_saved_figure():
    fig, ax = style.new_figure(width_in=6.0)
    narrow = style.saved_width_in(fig)
    ax.text(1.6, 0.5, "a note far to the right", transform=ax.transAxes)
    assert style.saved_width_in(fig) > narrow + 1.0


def test_small_legend_text_is_flagged():
    fig, ax = style.new_figure()
    ax.plot([0, 1], [0, 1], label="readable")
    ax.legend()
    assert style.illegible_texts(fig) == []
    ax.text(0.5, 0.5, "tiny note", fontsize=6)
    assert style.illegible_texts(fig) == ["'tiny note' at 6 pt"]


def test_the_phone_rule_is_nine_css_pixels_on_a_390_px_screen():
    """Issue #21: tick and legend text at least 9 CSS px where a 390 px phone shows a figure
    (the browser suite measured 342 px; the rule keeps a margin)."""
    assert style.MIN_PHONE_TEXT_PX >= 9
    assert style.PHONE_FIGURE_PX <= 342


def test_a_legend_wider_than_the_figure_is_folded_to_fit():
    fig, ax = style.new_figure(width_in=5.6)
    for i in range(5):
        ax.plot([0, 1], [i, i], label=f"a long legend label {i}")
    fig.legend(loc="outside lower center", ncols=5)
    assert style.saved_width_in(fig) > 7  # the control: one row is too wide
    fitted = style.fit_to_width(fig)
    assert fitted == pytest.approx(style.saved_width_in(fig))  # what it returns is true
    assert fitted <= 5.6 + 0.25
    assert fig.legends[0]._ncols < 5
    assert style.illegible_texts(fig) == []


def test_an_axis_label_wider_than_the_figure_is_broken_over_two_lines():
    fig, ax = style.new_figure(width_in=3.0)
    ax.set_xlabel("a very long axis label that no narrow figure can hold on one line")
    assert style.saved_width_in(fig) > 3.25
    fitted = style.fit_to_width(fig)
    assert "\n" in ax.get_xlabel()
    assert fitted == pytest.approx(style.saved_width_in(fig))


def test_a_given_saved_width_is_the_one_judged():
    """The notebooks' check passes fit_to_width's width on, rather than drawing again: a
    text legible at the figure's own width is flagged at a width twice as wide."""
    fig, ax = style.new_figure(width_in=3.0)
    ax.text(0.5, 0.5, "note", fontsize=9)
    width = style.saved_width_in(fig)
    assert style.illegible_texts(fig, width) == style.illegible_texts(fig) == []
    assert style.illegible_texts(fig, 2 * width) == ["'note' at 9 pt"]


def test_a_label_crossed_by_a_line_is_flagged_and_one_beside_it_is_not():
    fig, ax = style.new_figure()
    ax.plot([0, 10], [0, 10], label="rising")
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    ax.text(5.0, 1.0, "clear of the line")
    assert style.crowded_texts(fig) == []
    ax.text(4.0, 5.0, "on the line", ha="center", va="center")
    assert style.crowded_texts(fig) == ["'on the line' is crossed by the line 'rising'"]


def test_a_label_running_out_of_its_axes_is_flagged():
    fig, ax = style.new_figure()
    ax.set_xlim(0, 10)
    ax.text(9.0, 0.5, "a long label past the edge")
    assert style.crowded_texts(fig) == [
        "'a long label past the edge' runs out of its axes"
    ]


def test_overlapping_tick_labels_are_flagged_and_spaced_ones_are_not():
    names = [f"row {i} with a name wrapped onto three lines" for i in range(8)]
    wrapped = [
        name.replace(" with", "\nwith").replace(" onto", "\nonto") for name in names
    ]
    fig, ax = style.new_figure(height_in=2.0)
    ax.set_yticks(range(8), wrapped)
    first = f"tick labels {wrapped[0][:30]!r} and {wrapped[1][:30]!r} overlap"
    assert first in style.crowded_texts(fig)
    spaced, ax = style.new_figure(height_in=4.0)
    ax.set_yticks(range(3), ["one", "two", "three"])
    assert style.crowded_texts(spaced) == []


def test_the_notebook_hook_warns_about_a_crowded_label():
    """What nbval and the book build see: a warning (an error there) after the cell."""
    from cart_autoimmunity import chapter

    fig, ax = style.new_figure()
    ax.set_xlim(0, 10)
    ax.text(9.0, 0.5, "a long label past the edge")
    with pytest.warns(UserWarning, match="figure label hard to read"):
        chapter.warn_about_illegible_figures()


# --- figures shown as palette PNGs (chapter.palette_png) ------------------------------------
def _figure_png(fig, **kwargs) -> bytes:
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", **kwargs)
    plt.close(fig)
    return buffer.getvalue()


def _palette_figure():
    """A line in every colour of the book's palette, a shaded band and a legend."""
    import numpy as np

    style.use_book_style()
    fig, ax = style.new_figure()
    x = np.linspace(0.0, 10.0, 200)
    for i, colour in enumerate(style.OKABE_ITO.values()):
        ax.plot(x, np.sin(x + i) + i, color=colour, linewidth=3, label=str(i))
    ax.fill_between(x, 0.0, 1.0, color=style.OKABE_ITO["orange"], alpha=0.3)
    ax.legend()
    return fig


def test_the_hook_keeps_the_layout_it_measured_until_the_figure_is_drawn(monkeypatch):
    """The notebook hook lays each figure out once (fit_to_width) and switches its layout
    engine off; the PNG the notebook stores is then the one a second layout would give
    (for this figure; others differ in edge pixels), and drawing it gives the engine back."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.core.pylabtools import print_figure
    from matplotlib.figure import Figure
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    from cart_autoimmunity import chapter

    def draw(fig):
        return print_figure(fig, "png", bbox_inches="tight")  # as the inline backend

    laid_out_again = _palette_figure()
    style.fit_to_width(laid_out_again)
    expected = chapter.palette_png(draw(laid_out_again))  # drawing lays it out again
    plt.close(laid_out_again)
    kept = _palette_figure()
    engine = kept.get_layout_engine()
    assert isinstance(engine, ConstrainedLayoutEngine)
    chapter.warn_about_illegible_figures()
    chapter.warn_about_illegible_figures()  # a second cell keeps the first engine
    assert not isinstance(kept.get_layout_engine(), ConstrainedLayoutEngine)

    shell = InteractiveShell.instance()
    formatter = shell.display_formatter.formatters["image/png"]
    monkeypatch.setitem(formatter.type_printers, Figure, draw)
    monkeypatch.setattr("IPython.get_ipython", lambda: shell)
    chapter.draw_figures_as_palette_png()
    assert formatter.type_printers[Figure](kept) == expected  # as the notebook shows it
    assert kept.get_layout_engine() is engine


def test_a_figure_not_drawn_gets_its_layout_engine_back_before_the_next_cell():
    """With the inline backend's figures left open and undrawn (close_figures off, another
    backend), the pre-execute hook gives the engine back, so a later change is laid out."""
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    from cart_autoimmunity import chapter

    fig = _palette_figure()
    engine = fig.get_layout_engine()
    chapter.warn_about_illegible_figures()
    assert not isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)
    chapter.give_back_layout_engines()
    assert fig.get_layout_engine() is engine


def test_a_palette_png_keeps_every_book_colour_and_is_smaller():
    import io

    import numpy as np
    from PIL import Image

    from cart_autoimmunity import chapter

    original = _figure_png(_palette_figure())
    png = chapter.palette_png(original)
    image = Image.open(io.BytesIO(png))
    assert image.mode == "P" and len(png) < len(original) / 2
    palette = np.array(image.getpalette()[: 3 * chapter.PNG_COLOURS]).reshape(-1, 3)
    used = {tuple(palette[i]) for i in np.unique(np.asarray(image))}
    for colour in style.OKABE_ITO.values():
        assert tuple(int(colour[j : j + 2], 16) for j in (1, 3, 5)) in used, colour
    before = np.asarray(Image.open(io.BytesIO(original)).convert("RGB"), dtype=int)
    after = np.asarray(image.convert("RGB"), dtype=int)
    assert before.shape == after.shape
    assert (np.abs(before - after).max(axis=2) > 8).mean() < 0.02  # edges only


def test_a_transparent_figure_becomes_white_not_black():
    import io

    from PIL import Image

    from cart_autoimmunity import chapter

    # Transparent black (what a PNG may hold under alpha 0) beside an opaque blue square.
    image = Image.new("RGBA", (20, 10), (0, 0, 0, 0))
    image.paste((0, 114, 178, 255), (10, 0, 20, 10))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    shown = Image.open(io.BytesIO(chapter.palette_png(buffer.getvalue()))).convert(
        "RGB"
    )
    assert shown.getpixel((0, 0)) == (255, 255, 255)
    assert shown.getpixel((15, 5)) == (0, 114, 178)
    with pytest.raises(ValueError, match="png must be the bytes of a PNG image"):
        chapter.palette_png(b"GIF89a")


def test_the_hook_wraps_the_inline_backends_drawing_once(monkeypatch):
    """After a cell, the backend's PNG drawing of a figure goes through palette_png."""
    import base64
    import io

    from IPython.core.interactiveshell import InteractiveShell
    from matplotlib.figure import Figure
    from PIL import Image

    from cart_autoimmunity import chapter

    shell = InteractiveShell.instance()
    formatter = shell.display_formatter.formatters["image/png"]
    monkeypatch.setitem(
        formatter.type_printers,
        Figure,
        lambda fig: base64.b64encode(_figure_png(fig)).decode("ascii"),
    )
    monkeypatch.setattr("IPython.get_ipython", lambda: shell)
    chapter.draw_figures_as_palette_png()
    wrapped = formatter.type_printers[Figure]
    chapter.draw_figures_as_palette_png()
    assert formatter.type_printers[Figure] is wrapped, "wrapped once, not twice"
    fig, ax = style.new_figure()
    ax.plot([0, 1], [0, 1])
    shown = Image.open(io.BytesIO(base64.b64decode(wrapped(fig))))
    assert shown.mode == "P"


def test_the_hook_keeps_a_retina_drawings_size(monkeypatch):
    """A learner who asks for retina figures gets them, as palette PNGs with their size."""
    import base64
    import io

    from IPython.core.interactiveshell import InteractiveShell
    from IPython.core.pylabtools import retina_figure
    from matplotlib.figure import Figure
    from PIL import Image

    from cart_autoimmunity import chapter

    shell = InteractiveShell.instance()
    formatter = shell.display_formatter.formatters["image/png"]
    monkeypatch.setitem(
        formatter.type_printers, Figure, lambda fig: retina_figure(fig, base64=True)
    )
    monkeypatch.setattr("IPython.get_ipython", lambda: shell)
    chapter.draw_figures_as_palette_png()
    fig, ax = style.new_figure()
    ax.plot([0, 1], [0, 1])
    data, metadata = formatter.type_printers[Figure](fig)
    shown = Image.open(io.BytesIO(base64.b64decode(data)))
    assert shown.mode == "P" and metadata == {
        "width": shown.width // 2,
        "height": shown.height // 2,
    }
