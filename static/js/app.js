// Small progressive enhancements; the app works fully without JavaScript.
"use strict";

function autosaveStatus(event) {
  var target = event.detail.target;
  return target && target.classList.contains("autosave-status") ? target : null;
}

// A number the browser cannot read (e.g. 1e400) reaches the server as an empty
// value, which would clear the stored answer. Never send it; say why instead.
function badNumbers(container) {
  return Array.prototype.filter.call(
    container.querySelectorAll("input[type=number]"),
    function (input) { return input.validity && input.validity.badInput; }
  );
}

function flagBadNumbers(inputs) {
  inputs.forEach(function (input) {
    input.classList.add("is-invalid");
    var error = document.getElementById(input.id.replace(/_value$/, "_error"));
    if (error) {
      error.textContent = "Not a number: the saved answer is kept until you correct it.";
      error.dataset.client = "";
    }
  });
}

document.addEventListener("input", function (event) {
  var input = event.target;
  if (input.type === "number" && input.validity && !input.validity.badInput) {
    input.classList.remove("is-invalid");
    var error = document.getElementById(input.id.replace(/_value$/, "_error"));
    if (error && error.dataset.client !== undefined) {
      error.textContent = "";
      delete error.dataset.client;
    }
  }
});

document.addEventListener("htmx:beforeRequest", function (event) {
  var target = autosaveStatus(event);
  var bad = badNumbers(event.detail.elt);
  if (bad.length) {
    event.preventDefault();
    flagBadNumbers(bad);
    if (target) {
      target.textContent = "Not saved: not a number.";
      target.classList.add("text-danger");
    } else if (event.detail.target) {
      // What-if: say so instead of leaving an older projection as if it were current.
      event.detail.target.textContent = "Not a number in " + bad.map(function (input) {
        return (document.querySelector("label[for='" + input.id + "']") || input).textContent.trim().split(" ")[0];
      }).join(", ") + ": nothing was projected.";
      event.detail.target.classList.add("text-danger");
    }
    return;
  }
  if (event.detail.target) { event.detail.target.classList.remove("text-danger"); }
  if (!target) { return; }
  target.classList.remove("text-danger");
  target.textContent = "Saving…";
  pendingSaves += 1;
});

// A page save sent while autosaves are still in flight would carry answer versions
// that those autosaves are about to raise, and be refused as a conflict with the
// user's own answers. The form waits for them, then goes with the new versions.
var pendingSaves = 0;
var waiting = null;

document.addEventListener("htmx:afterRequest", function (event) {
  if (!autosaveStatus(event)) { return; }
  pendingSaves = Math.max(0, pendingSaves - 1);
  sendWhenSettled();
});

function sendWhenSettled() {
  if (!waiting) { return; }
  window.setTimeout(function () {
    if (!waiting || pendingSaves > 0) { return; }
    var form = waiting.form, submitter = waiting.submitter;
    waiting = null;
    form.requestSubmit(submitter);
  }, 50);
}

document.addEventListener("htmx:sendError", function (event) {
  var target = autosaveStatus(event);
  if (target) { target.textContent = "Not saved: the server could not be reached. Use the Save button."; }
});

// 401, 403, 409 and 422 come back as fragments and are shown; anything else
// (404, 500) is said here instead of "Saving…", leaving the form as it is.
document.addEventListener("htmx:responseError", function (event) {
  var target = autosaveStatus(event);
  if (!target) { return; }
  target.textContent = "Not saved (error " + event.detail.xhr.status + "). Reload the page and try again.";
  target.classList.add("text-danger");
});

// Logging in again (in another tab) gives a new security token in the cookie; a page
// opened before still carries the old one. Every request sends the current one, so
// "log in again, then save this page" saves instead of failing the CSRF check.
function currentCsrfToken() {
  var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : null;
}

document.addEventListener("htmx:configRequest", function (event) {
  var token = currentCsrfToken();
  if (!token) { return; }
  event.detail.headers["X-CSRFToken"] = token;
  var data = event.detail.formData;
  if (data && data.has("csrfmiddlewaretoken")) { data.set("csrfmiddlewaretoken", token); }
});

document.addEventListener("submit", function (event) {
  var token = currentCsrfToken();
  if (!token) { return; }
  event.target.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (input) {
    input.value = token;
  });
}, true);

// Forms that ask first (discard a draft, retire a version).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
});

// Forms that change state are sent once: a double click does not send them twice.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.hasAttribute("data-submit-once")) { return; }
  var bad = badNumbers(form);
  if (bad.length) {
    event.preventDefault();
    flagBadNumbers(bad);
    bad[0].focus();
    return;
  }
  if (form.dataset.sending === "1" || waiting) { event.preventDefault(); return; }
  if (pendingSaves > 0 && form.querySelector("section.question")) {
    event.preventDefault();
    waiting = { form: form, submitter: event.submitter };
    return;
  }
  form.dataset.sending = "1";
  // After the browser has read the clicked button's value.
  window.setTimeout(function () {
    form.querySelectorAll("button[type=submit]").forEach(function (b) {
      b.disabled = true;
      b.setAttribute("aria-disabled", "true");
    });
  }, 0);
});

// Back/forward cache: a page restored from history may be sending no more.
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    delete form.dataset.sending;
    form.querySelectorAll("button[type=submit]").forEach(function (b) {
      b.disabled = false;
      b.removeAttribute("aria-disabled");
    });
  });
});

// Dashboard: how many assessments are ticked for comparison.
document.addEventListener("change", function (event) {
  var box = event.target;
  if (box.name !== "ids" || box.getAttribute("form") !== "compare-form") { return; }
  var form = document.getElementById("compare-form");
  var hint = document.getElementById("compare-hint");
  var max = parseInt(form.dataset.maxSelected, 10);
  var count = document.querySelectorAll("input[name=ids][form=compare-form]:checked").length;
  if (count > max) {
    hint.textContent = count + " selected: compare at most " + max + " at a time.";
    hint.classList.add("text-danger");
  } else {
    hint.textContent = count + " selected (2 to " + max + ").";
    hint.classList.remove("text-danger");
  }
});

// N/A and an answer exclude each other: ticking N/A clears and disables the answer's
// inputs (disabled inputs are not sent), unticking gives them back.
function syncNotApplicable(box) {
  var section = box.closest("section.question");
  if (!section) { return; }
  section.querySelectorAll("[name$='_value']").forEach(function (input) {
    if (box.checked) {
      if (input.type === "radio" || input.type === "checkbox") { input.checked = false; } else { input.value = ""; }
    }
    input.disabled = box.checked;
  });
}
document.addEventListener("change", function (event) {
  if (event.target.matches("section.question input[name$='_na']")) { syncNotApplicable(event.target); }
}, true);
document.querySelectorAll("section.question input[name$='_na']:checked").forEach(syncNotApplicable);

// Bank editor: a form's Cancel empties its slot.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-close-slot]");
  if (!button) { return; }
  var slot = button.closest(".part-slot");
  if (slot) { slot.textContent = ""; }
});

// Bank editor: after a change the region is rendered again; keep open what was open,
// and open and show the part that changed (or the one a problem link points at).
function openAncestors(element) {
  for (var node = element; node; node = node.parentElement) {
    if (node.tagName === "DETAILS") { node.open = true; }
  }
}

function showPart(id) {
  var element = id && document.getElementById(id);
  if (!element) { return; }
  openAncestors(element);
  document.querySelectorAll(".bank-editor .focused").forEach(function (e) {
    e.classList.remove("focused");
  });
  element.classList.add("focused");
  element.scrollIntoView({block: "nearest"});
}

var openParts = [];
document.addEventListener("htmx:beforeSwap", function (event) {
  if (event.detail.target && event.detail.target.id === "editor") {
    openParts = Array.prototype.map.call(
      document.querySelectorAll("#editor details[open]"), function (d) { return d.id; }
    );
  }
});
document.addEventListener("htmx:afterSettle", function (event) {
  if (!document.getElementById("editor") || !openParts.length) { return; }
  openParts.forEach(function (id) {
    var element = id && document.getElementById(id);
    if (element) { element.open = true; }
  });
  openParts = [];
});
document.addEventListener("bank-focus", function (event) { showPart(event.detail.id); });
window.addEventListener("hashchange", function () { showPart(window.location.hash.slice(1)); });
window.addEventListener("DOMContentLoaded", function () {
  if (document.getElementById("editor")) { showPart(window.location.hash.slice(1)); }
});
