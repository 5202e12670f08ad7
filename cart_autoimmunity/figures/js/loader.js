// Loads BokehJS only when the reader asks (it weighs more than the rest of a chapter page),
// once per page, in order; then runs Bokeh's embedding code and gives the figure the focus.
// Filled in by _interactive.embed: __BOX__ (the box's id), __SOURCES__ (the BokehJS files,
// a JSON list) and __RENDER__ (Bokeh's embedding code).
// Lines starting with // at the top of a file are documentation: _interactive.py drops them.
(function () {
  const box = document.getElementById("__BOX__");
  const start = box.querySelector(".explorable-start");
  const button = start.querySelector("button");
  const sources = __SOURCES__;
  const loaded = (window.explorableScripts = window.explorableScripts || {});
  function load(src) {
    if (!loaded[src]) {
      loaded[src] = new Promise(function (done, fail) {
        const script = document.createElement("script");
        script.src = src;
        script.onload = done;
        script.onerror = function () { fail(new Error("could not load " + src)); };
        document.head.appendChild(script);
      });
    }
    return loaded[src];
  }
  function render() {
__RENDER__
  }
  start.hidden = false;
  button.addEventListener("click", function () {
    button.disabled = true;
    button.textContent = "Loading the explorable figure";
    sources.reduce(function (ready, src) { return ready.then(function () { return load(src); }); },
                   Promise.resolve())
      .then(function () { render(); start.hidden = true; box.focus(); })
      .catch(function (error) {
        button.textContent = "The explorable figure could not be loaded";
        console.error(error);
      });
  });
})();
