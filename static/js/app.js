// Small progressive enhancements; the app works fully without JavaScript.
function autosaveStatus(event) {
  var target = event.detail.target;
  return target && target.classList.contains("autosave-status") ? target : null;
}
document.addEventListener("htmx:beforeRequest", function (event) {
  var target = autosaveStatus(event);
  if (target) { target.textContent = "Saving…"; }
});
document.addEventListener("htmx:sendError", function (event) {
  var target = autosaveStatus(event);
  if (target) { target.textContent = "Not saved: the server could not be reached. Use the Save button."; }
});
// 409 and 422 come back as fragments and are shown; anything else (403 when the
// assessment was submitted meanwhile, 404, 500) is said here instead of "Saving…".
document.addEventListener("htmx:responseError", function (event) {
  var target = autosaveStatus(event);
  if (!target) { return; }
  var status = event.detail.xhr.status;
  target.textContent = status === 403
    ? "Not saved: this assessment can no longer be edited. Reload the page."
    : "Not saved (error " + status + "). Reload the page and try again.";
  target.classList.add("text-danger");
});
