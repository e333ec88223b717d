// Small progressive enhancements; the app works fully without JavaScript.
document.addEventListener("htmx:sendError", function (event) {
  var target = event.detail.target;
  if (target) { target.textContent = "Not saved: the server could not be reached. Use the Save button."; }
});
document.addEventListener("htmx:beforeRequest", function (event) {
  var target = event.detail.target;
  if (target && target.classList.contains("autosave-status")) { target.textContent = "Saving…"; }
});
