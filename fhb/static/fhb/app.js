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
function fhbAddFormsetRow(prefix) {
  var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
  var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
  var rows = document.getElementById(prefix + "-rows");
  var index = parseInt(total.value, 10);
  if (max && index >= parseInt(max.value, 10)) { return null; }
  var html = document.getElementById(prefix + "-template").innerHTML
    .replace(/__prefix__/g, index).replace(/__number__/g, rows.querySelectorAll("[data-formset-row]:not(.fhb-hidden)").length + 1);
  rows.insertAdjacentHTML("beforeend", html);
  total.value = index + 1;
  return rows.lastElementChild;
}
document.addEventListener("click", function (event) {
  var add = event.target.closest && event.target.closest("[data-formset-add]");
  if (add) {
    var row = fhbAddFormsetRow(add.getAttribute("data-formset-add"));
    var first = row && row.querySelector("select, input");
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
// The visit form is never lost (the kitchen table, a signal that comes and goes):
// - every change is kept on the device (localStorage, under the form's data-autosave name: this
//   user's visit), the form's fields only, and deleted once the server has the visit (the next page
//   names it: meta fhb-saved-drafts), at "Log af", at "Annullér", after a week, and when another
//   user logs in on the device;
// - a few seconds after typing stops the form is saved as a draft on the server (action=autosave);
//   without a connection it stays on the device and is sent when the connection returns;
// - a page opened again with a copy on the device newer than what the server had gets it back;
// - a colleague's newer edit is never overwritten: the server refuses (409) and the page says so;
// - "Gem besøg" without a connection is held: nothing is lost, and the page says why.
(function () {
  var PREFIX = "fhb-visit:";
  function storage() { try { return window.localStorage; } catch (e) { return null; } }
  var store = storage();
  if (!store) { return; }
  document.addEventListener("DOMContentLoaded", function () {
    // A copy left behind (a visit never saved) is not kept for more than a week, nor one of another
    // user of this device.
    var week = 7 * 24 * 3600 * 1000;
    var me = document.querySelector("meta[name=fhb-user]");
    Object.keys(store).forEach(function (key) {
      if (key.indexOf(PREFIX) !== 0) { return; }
      if (me && key.indexOf(PREFIX + "visit:" + me.content + ":") !== 0) { store.removeItem(key); return; }
      try {
        if (Date.now() - JSON.parse(store.getItem(key)).at > week) { store.removeItem(key); }
      } catch (e) { store.removeItem(key); }
    });
    var saved = document.querySelector("meta[name=fhb-saved-drafts]");
    if (saved) {
      saved.content.split(" ").forEach(function (key) { if (key) { store.removeItem(PREFIX + key); } });
    }
    document.querySelectorAll("form[data-clear-device]").forEach(function (form) {
      form.addEventListener("submit", function () {
        document.documentElement.setAttribute("data-logging-out", "");  // nothing is kept after this
        Object.keys(store).forEach(function (key) { if (key.indexOf(PREFIX) === 0) { store.removeItem(key); } });
      });
    });
    var form = document.querySelector("form[data-autosave]");
    if (form) { autosave(form); }
  });

  function autosave(form) {
    var key = PREFIX + form.getAttribute("data-autosave");
    var toServer = form.getAttribute("data-autosave-server") === "1";
    var status = document.getElementById("fhb-save-status");
    var timer = null;
    var pending = false;
    var inflight = null;  // the autosave on its way: a save waits for it (its draft and version)
    var texts = {
      saving: "Gemmer …",
      device: "Gemt på enheden — sendes, når der er forbindelse",
      deviceOnly: "Gemt på enheden, indtil du trykker Gem",
      restored: "Gendannet fra enheden: det, du skrev, er sat ind igen",
      offlineSubmit: "Ingen forbindelse: besøget er gemt på enheden. Tryk Gem igen, når der er forbindelse."
    };
    if (document.documentElement.lang === "en") {
      texts = {
        saving: "Saving …",
        device: "Saved on this device — sent when the connection is back",
        deviceOnly: "Saved on this device until you press Save",
        restored: "Restored from this device: what you typed is back",
        offlineSubmit: "No connection: the visit is kept on this device. Press Save again when you are online."
      };
    }
    function show(text, kind) {
      if (!status) { return; }
      status.textContent = text;
      status.className = "fhb-save-status fhb-save-" + kind;
    }
    function fields() {
      var out = {};
      new FormData(form).forEach(function (value, name) {
        if (name === "csrfmiddlewaretoken" || name === "action") { return; }
        (out[name] = out[name] || []).push(String(value));
      });
      return out;
    }
    function keep() {
      if (document.documentElement.hasAttribute("data-logging-out")) { return; }
      store.setItem(key, JSON.stringify({ at: Date.now(), fields: fields() }));
    }
    function restore(copy) {
      // Rows added after the page was served come back first, so their values have a place.
      form.querySelectorAll("[data-formset-add]").forEach(function (button) {
        var prefix = button.getAttribute("data-formset-add");
        var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
        var wanted = parseInt((copy.fields[prefix + "-TOTAL_FORMS"] || ["0"])[0], 10);
        while (total && parseInt(total.value, 10) < wanted && fhbAddFormsetRow(prefix)) { /* add */ }
      });
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.name === "csrfmiddlewaretoken" || el.type === "submit" || el.type === "button") { return; }
        var values = copy.fields[el.name];
        if (el.type === "checkbox" || el.type === "radio") {
          el.checked = !!values && values.indexOf(el.value) !== -1;
        } else if (values !== undefined) {
          el.value = values[0];
        }
      });
    }
    function send() {
      timer = null;
      if (!toServer) { show(texts.deviceOnly, "device"); return; }
      if (!navigator.onLine) { pending = true; show(texts.device, "device"); return; }
      var data = new FormData(form);
      data.set("action", "autosave");
      pending = false;
      show(texts.saving, "saving");
      inflight = fetch(form.getAttribute("action") || window.location.href, {
        method: "POST", body: data, credentials: "same-origin", headers: { "X-Requested-With": "fetch" }
      }).then(function (response) {
        return response.json().then(function (body) { return { status: response.status, body: body }; });
      }).then(function (result) {
        if (result.status === 200) {
          form.querySelector("[name=draft]").value = result.body.draft;
          form.querySelector("[name=version]").value = result.body.version;
          keep();
          show(result.body.message, "saved");
        } else if (result.status === 409) {
          toServer = false;  // never overwrite a colleague's newer edit
          show(result.body.message, "conflict");
        } else {
          show(result.body.message || texts.deviceOnly, "error");
        }
      }).catch(function () {
        pending = true;
        show(texts.device, "device");
      }).then(function () { inflight = null; });
    }
    function changed() {
      keep();
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(send, 2500);
    }
    var copy = null;
    try { copy = JSON.parse(store.getItem(key) || "null"); } catch (e) { copy = null; }
    // A copy is put back on a fresh page (not over a form the server sent back with errors).
    if (copy && !document.querySelector("main .alert-error[role=alert]")) {
      restore(copy);
      show(texts.restored, "device");
      timer = setTimeout(send, 500);
    }
    form.querySelectorAll("[data-clear-copy]").forEach(function (link) {
      link.addEventListener("click", function () { store.removeItem(key); });  // "Annullér": not kept
    });
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    window.addEventListener("online", function () { if (pending || timer) { send(); } });
    window.addEventListener("offline", function () { show(texts.device, "device"); });
    form.addEventListener("submit", function (event) {
      keep();
      if (!navigator.onLine) {
        event.preventDefault();
        show(texts.offlineSubmit, "device");
        return;
      }
      if (timer) { clearTimeout(timer); timer = null; }
      if (inflight) {  // send the save once the autosave has answered, with its draft and version
        event.preventDefault();
        var submitter = event.submitter;
        show(texts.saving, "saving");
        inflight.then(function () { form.requestSubmit(submitter); });
      }
    });
  }
})();
