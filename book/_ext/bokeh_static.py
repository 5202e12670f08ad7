"""Serve BokehJS from the book itself: no CDN, no other host.

The explorable figures (``cart_autoimmunity.figures._interactive``) load
``_static/bokeh/<version>/bokeh.min.js`` and ``bokeh-widgets.min.js`` by a path relative to
their page. This extension copies those files, with Bokeh's licence, from the installed
``bokeh`` package into the HTML output at the end of every HTML build, so the JavaScript
always matches the Python package that wrote the figures.
"""

from __future__ import annotations

import shutil
from importlib import metadata
from pathlib import Path

#: Bundles copied (the explorable figures use plots and input widgets).
FILES = ("bokeh.min.js", "bokeh-widgets.min.js")


def bokeh_static_files() -> tuple[str, dict[str, Path]]:
    """Bokeh's version and ``{file name in the build: installed file}``."""
    import bokeh
    from bokeh.util.paths import bokehjs_path

    js = Path(bokehjs_path()) / "js"
    files = {name: js / name for name in FILES}
    try:
        licence = next(
            Path(str(f.locate()))
            for f in metadata.files("bokeh") or ()
            if f.name in ("LICENSE.txt", "LICENSE")
        )
        files["LICENSE.txt"] = licence
    except StopIteration:  # pragma: no cover - every bokeh wheel ships its licence
        pass
    return bokeh.__version__, files


def copy_bokeh_static(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    version, files = bokeh_static_files()
    target = Path(app.outdir) / "_static" / "bokeh" / version
    target.mkdir(parents=True, exist_ok=True)
    for name, source in files.items():
        shutil.copyfile(source, target / name)


def setup(app):
    app.connect("build-finished", copy_bokeh_static)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
