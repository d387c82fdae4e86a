/* Autosaved drafts: a form (or textarea) with data-draft-key sends its title and body to /drafts/<key> a few
   seconds after typing stops, and once more when the page is left; an empty form is filled from the saved draft.
   Without JavaScript the forms work as before (and are re-shown with the text on any error). */
(function () {
  "use strict";
  var DELAY = 2500;

  function csrfToken(form) {
    var field = form && form.querySelector("input[name='csrf_token']");
    if (field) { return field.value; }
    var meta = document.querySelector("meta[name='csrf-token']");
    return meta ? meta.getAttribute("content") : "";
  }

  function setup(el) {
    var form = el.tagName === "FORM" ? el : el.closest("form");
    var body = el.tagName === "TEXTAREA" ? el : el.querySelector("textarea[name='body']");
    if (!body) { return; }
    var title = form ? form.querySelector("input[name='title']") : null;
    var key = el.getAttribute("data-draft-key");
    var url = el.getAttribute("data-draft-url") || "/drafts/" + encodeURIComponent(key);
    var status = form ? form.querySelector("[data-draft-status]") : null;
    var savedText = (status && status.getAttribute("data-saved-text")) || "Черновик сохранён";
    var failedText = (status && status.getAttribute("data-failed-text")) || "Черновик не сохранён";
    var restoredText = (status && status.getAttribute("data-restored-text")) || "Восстановлен сохранённый черновик";
    var timer = null;
    var inflight = null;
    var submitted = false;
    var last = JSON.stringify(current());

    function current() {
      return { title: title ? title.value : "", body: body.value };
    }

    function say(text) {
      if (status) { status.textContent = text; }
    }

    function save() {
      timer = null;
      var data = current();
      var payload = JSON.stringify(data);
      if (submitted || payload === last) { return; }
      inflight = window.AbortController ? new AbortController() : null;
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        signal: inflight ? inflight.signal : undefined,
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(form) },
        body: payload
      }).then(function (response) {
        if (response.ok) {
          last = payload;
          say(savedText + " " + new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }));
        } else {
          say(failedText);
        }
      }).catch(function () { say(failedText); });
    }

    function schedule() {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(save, DELAY);
    }

    function flush() {
      var data = current();
      if (submitted || JSON.stringify(data) === last || !navigator.sendBeacon) { return; }
      var fd = new FormData();
      fd.append("csrf_token", csrfToken(form));
      fd.append("title", data.title);
      fd.append("body", data.body);
      if (navigator.sendBeacon(url, fd)) { last = JSON.stringify(data); }
    }

    function restore() {
      // The server leaves some forms empty (the thread page spends no query on drafts): fill them from here.
      if (body.value.trim() !== "") { return; }
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (draft) {
          if (!draft || body.value.trim() !== "" || !draft.body) { return; }
          body.value = draft.body;
          if (title && !title.value && draft.title) { title.value = draft.title; }
          last = JSON.stringify(current());
          say(restoredText);
        })
        .catch(function () { /* no draft: nothing to restore */ });
    }

    body.addEventListener("input", schedule);
    if (title) { title.addEventListener("input", schedule); }
    if (form) {
      form.addEventListener("submit", function () {
        submitted = true;
        if (timer) { clearTimeout(timer); }
        if (inflight) { inflight.abort(); }  // a late autosave must not bring back the draft the post consumes
      });
    }
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { flush(); }
    });
    window.addEventListener("pagehide", flush);
    restore();
  }

  function init() {
    var nodes = document.querySelectorAll("[data-draft-key]");
    for (var i = 0; i < nodes.length; i++) { setup(nodes[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
