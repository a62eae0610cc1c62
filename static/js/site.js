// network's own script: small, optional. Every page works without it.
(function () {
  "use strict";
  // After htmx swaps the whole page (hx-boost), move focus to the main content, as a real
  // page load would for screen readers.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.boosted) {
      var main = document.getElementById("main");
      if (main) main.focus({ preventScroll: true });
    }
  });

  // Drafts: what is typed in a form marked data-draft is kept in this tab (sessionStorage,
  // gone when the tab closes: computers are shared) until the server confirms it was sent,
  // so a failed send or a reload on a bad connection loses nothing.
  function store() {
    try { return window.sessionStorage; } catch (e) { return null; }
  }
  function keyOf(form) { return "draft:" + form.getAttribute("data-draft"); }
  function setUp(root) {
    var storage = store();
    if (!storage) return;
    if (!root.querySelectorAll) return;
    var forms = Array.prototype.slice.call(root.querySelectorAll("form[data-draft]"));
    if (root.matches && root.matches("form[data-draft]")) forms.push(root);
    forms.forEach(function (form) {
      var box = form.querySelector("textarea");
      if (!box || form.hasAttribute("data-draft-ready")) return;
      form.setAttribute("data-draft-ready", "");
      if (form.hasAttribute("data-draft-sent")) {
        storage.removeItem(keyOf(form));
      } else if (!box.value && storage.getItem(keyOf(form))) {
        box.value = storage.getItem(keyOf(form));
      }
      box.addEventListener("input", function () {
        storage.setItem(keyOf(form), box.value);
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:load", function (event) { setUp(event.detail.elt); });

  // A quote lands in the reply box: put the cursor after it.
  document.addEventListener("htmx:afterSettle", function (event) {
    var trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (trigger && trigger.hasAttribute("data-quote")) {
      var box = document.querySelector("#reply textarea");
      if (box) {
        box.focus();
        box.setSelectionRange(box.value.length, box.value.length);
        store() && store().setItem("draft:" + box.form.getAttribute("data-draft"), box.value);
      }
    }
  });

  // After htmx changes part of a page in place, say what happened in the page's live region
  // (the number of results, "Your reply is posted.") and move focus to a new or edited post,
  // as a screen reader would otherwise not know. Whole pages (hx-boost) focus their main.
  // When what was pressed went with the old content (Later, Next week), focus would fall to
  // the page's body, and the page stay scrolled where it was: it goes to what was announced
  // (the new results' heading), brought into view. A filter changed keeps its focus.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.boosted) return;
    var live = document.getElementById("announce");
    var active = document.activeElement;
    var lost = !active || active === document.body || !document.body.contains(active);
    Array.prototype.forEach.call(document.querySelectorAll("[data-announce]"), function (el) {
      if (live) live.textContent = el.getAttribute("data-announce");
      el.removeAttribute("data-announce");
      if (el.getAttribute("tabindex") === "-1") {
        el.focus();
      } else if (lost) {
        el.setAttribute("tabindex", "-1");
        el.focus({ preventScroll: true });
        el.scrollIntoView({ block: "nearest" });
        lost = false;
      }
    });
  });
  // A part of the page kept up to date as someone types (data-failed: what to say when an
  // update fails) keeps what it showed and says so, rather than going quiet or filling with
  // an error page. A successful update replaces the message with what it found.
  function sayFailed(target) {
    var note = target.querySelector("[data-failed-note]");
    if (!note) {
      note = document.createElement("p");
      note.className = "flash error";
      note.setAttribute("data-failed-note", "");
      note.setAttribute("role", "alert");
      var heading = target.querySelector("h2");
      target.insertBefore(note, heading ? heading.nextSibling : target.firstChild);
    }
    note.textContent = target.getAttribute("data-failed");
  }
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.hasAttribute("data-failed") && event.detail.xhr.status !== 200) {
      event.detail.shouldSwap = false;
      sayFailed(target);
    }
  });
  ["htmx:sendError", "htmx:timeout"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var target = event.detail.target;
      if (target && target.hasAttribute && target.hasAttribute("data-failed")) {
        sayFailed(target);
      }
    });
  });
})();
