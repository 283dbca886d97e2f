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
// "Udskriv dagsseddel": the print layout is app.css's @media print.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-print]");
  if (button) { window.print(); }
});
// A form marked data-no-enter-submit (the visit form) is saved with its buttons only: Enter in a
// text or number field does not send a half-filled visit.
document.addEventListener("keydown", function (event) {
  if (event.key !== "Enter") { return; }
  var field = event.target;
  if (!field.form || !field.form.hasAttribute("data-no-enter-submit")) { return; }
  if (field.tagName === "TEXTAREA" || field.tagName === "BUTTON" || field.type === "submit") { return; }
  event.preventDefault();
});
// After a refused save the error summary gets the focus: a screen reader reads it, the page
// scrolls to it, and its links lead to the fields.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("main .alert-error[role=alert]");
  if (summary) {
    summary.setAttribute("tabindex", "-1");
    summary.focus();
  }
});
// Follow-up rows: "Tilføj" copies the empty row (its __prefix__ numbered) and counts it in the
// management form; "Fjern" empties a row and hides it (an empty row is not saved).
document.addEventListener("click", function (event) {
  var add = event.target.closest && event.target.closest("[data-formset-add]");
  if (add) {
    var prefix = add.getAttribute("data-formset-add");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    var rows = document.getElementById(prefix + "-rows");
    var index = parseInt(total.value, 10);
    if (max && index >= parseInt(max.value, 10)) { return; }
    var html = document.getElementById(prefix + "-template").innerHTML
      .replace(/__prefix__/g, index).replace(/__number__/g, rows.querySelectorAll("[data-formset-row]:not(.fhb-hidden)").length + 1);
    rows.insertAdjacentHTML("beforeend", html);
    total.value = index + 1;
    var row = rows.lastElementChild;
    var first = row.querySelector("select, input");
    if (first) { first.focus(); }
    return;
  }
  var remove = event.target.closest && event.target.closest("[data-formset-remove]");
  if (remove) {
    var fieldset = remove.closest("[data-formset-row]");
    fieldset.querySelectorAll("input, select, textarea").forEach(function (input) {
      if (input.type === "checkbox") { input.checked = false; } else { input.value = ""; }
    });
    fieldset.classList.add("fhb-hidden");
    var addButton = document.querySelector("[data-formset-add]");
    if (addButton) { addButton.focus(); }
  }
});
// A table wider than its column becomes stacked rows (each cell with its column's heading) rather
// than making the page scroll sideways on a phone or a tablet held upright.
(function () {
  function label(table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
    table.querySelectorAll("tbody tr, tfoot tr").forEach(function (tr) {
      Array.prototype.forEach.call(tr.children, function (cell, i) {
        if (!cell.hasAttribute("data-label") && heads[i]) { cell.setAttribute("data-label", heads[i]); }
      });
    });
  }
  function fit() {
    document.querySelectorAll("main table").forEach(function (table) {
      table.classList.remove("fhb-stacked");
      var box = table.parentElement;
      if (table.scrollWidth > box.clientWidth + 1) { label(table); table.classList.add("fhb-stacked"); }
    });
  }
  document.addEventListener("DOMContentLoaded", fit);
  window.addEventListener("resize", fit);
  document.addEventListener("htmx:afterSettle", fit);
})();
// An instrument answered item by item (WHO-5, T-ILS): its total is shown as soon as every item has
// an answer (the server computes it again when the visit is saved).
document.addEventListener("change", function (event) {
  var radio = event.target;
  var kind = radio.getAttribute && radio.getAttribute("data-item");
  if (!kind) { return; }
  var box = document.querySelector("[data-instrument='" + kind + "']");
  var total = document.querySelector("[data-total='" + kind + "']");
  if (!box || !total) { return; }
  var names = {};
  box.querySelectorAll("input[type=radio]").forEach(function (r) { names[r.name] = true; });
  var sum = 0, answered = 0;
  Object.keys(names).forEach(function (name) {
    var checked = box.querySelector("input[name='" + name + "']:checked");
    if (checked) { sum += parseInt(checked.value, 10); answered += 1; }
  });
  if (answered === Object.keys(names).length) {
    total.value = sum * parseInt(total.getAttribute("data-factor") || "1", 10);
  }
});
