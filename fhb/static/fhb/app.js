// Page behaviour: start Det Fælles Designsystem's components and keep htmx within our CSP.
document.addEventListener("DOMContentLoaded", function () {
  if (window.DKFDS) { window.DKFDS.init(); }
});
document.body && document.body.addEventListener("htmx:configRequest", function (event) {
  var token = document.querySelector("meta[name=csrf-token]");
  if (token) { event.detail.headers["X-CSRFToken"] = token.content; }
});
