/* Similar answered questions while a question's title is typed: the region with data-similar-url (under the title
   field of the thread form) asks GET <url>?title=… 300 ms after typing stops, once the title has 3 characters or
   more and the kind «вопрос» is chosen, and lists what comes back as links. The region is aria-live="polite" and is
   rewritten only when the list changes, so a screen reader hears each new list once. Without JavaScript the form's
   «Проверить похожие вопросы» button lists them on the server. */
(function () {
  "use strict";
  var DELAY = 300;
  var MIN_CHARS = 3;
  var MAX_CHARS = 200;

  function setup(region) {
    var form = region.closest("form");
    var title = form ? form.querySelector("input[name='title']") : null;
    if (!title) { return; }
    var url = region.getAttribute("data-similar-url");
    var kinds = form.querySelectorAll("input[name='kind']");
    var timer = null;
    var inflight = null;
    var shown = null;  // the key of the list on screen; null: whatever the server rendered

    function isQuestion() {
      if (!kinds.length) { return true; }
      var chosen = form.querySelector("input[name='kind']:checked");
      return Boolean(chosen) && chosen.value === "question";
    }

    function show(data) {
      var questions = (data && data.questions) || [];
      var key = JSON.stringify(questions.map(function (q) { return q.url; }));
      if (key === shown) { return; }
      shown = key;
      region.textContent = "";
      if (!questions.length) { return; }
      var heading = document.createElement("h2");
      heading.textContent = data.heading;
      var list = document.createElement("ul");
      questions.forEach(function (question) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = question.url;
        link.textContent = question.title;
        var meta = document.createElement("span");
        meta.className = "meta";
        meta.textContent = question.meta;
        item.appendChild(link);
        item.appendChild(document.createTextNode(" "));
        item.appendChild(meta);
        list.appendChild(item);
      });
      region.appendChild(heading);
      region.appendChild(list);
    }

    function ask() {
      timer = null;
      if (inflight) { inflight.abort(); inflight = null; }
      var text = title.value.trim().slice(0, MAX_CHARS);
      if (!isQuestion() || text.length < MIN_CHARS) { show(null); return; }
      inflight = window.AbortController ? new AbortController() : null;
      var request = inflight;
      fetch(url + "?title=" + encodeURIComponent(text), {
        credentials: "same-origin",
        headers: { "Accept": "application/json" },
        signal: request ? request.signal : undefined
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (data) {
        if (inflight === request && data) { show(data); }
      }).catch(function () { /* offline or aborted: keep what is shown */ });
    }

    function later(delay) {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(ask, delay);
    }

    title.addEventListener("input", function () { later(DELAY); });
    Array.prototype.forEach.call(kinds, function (radio) {
      radio.addEventListener("change", function () { later(0); });
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-similar-url]"), setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
