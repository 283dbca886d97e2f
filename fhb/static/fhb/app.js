// Page behaviour: start Det Fælles Designsystem's components and keep htmx within our CSP.
document.addEventListener("DOMContentLoaded", function () {
  if (window.DKFDS) { window.DKFDS.init(); }
});
document.body && document.body.addEventListener("htmx:configRequest", function (event) {
  var token = document.querySelector("meta[name=csrf-token]");
  if (token) { event.detail.headers["X-CSRFToken"] = token.content; }
});
// A filter box over a list (the check-in at the door): hides rows whose data-name lacks the text.
document.addEventListener("input", function (event) {
  var box = event.target;
  if (!box.matches || !box.matches("[data-filter-list]")) { return; }
  var query = box.value.trim().toLowerCase();
  var list = document.getElementById(box.getAttribute("data-filter-list"));
  if (!list) { return; }
  list.querySelectorAll("li[data-name]").forEach(function (row) {
    row.classList.toggle("fhb-hidden", query !== "" && row.getAttribute("data-name").indexOf(query) === -1);
  });
});
