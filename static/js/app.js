// Small behaviours without inline script (the CSP forbids it).
// - data-confirm="message" on a form or button asks ONCE before submitting; when the user
//   agrees, the form carries confirmed=1, which the server requires for irreversible steps
//   (without JavaScript the server answers with a confirmation step instead).
// - toasts fade out after a while.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var button = event.submitter;
  var message = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
  if (!message) return;
  if (!window.confirm(message)) {
    // captured on document: neither the browser nor htmx sees this submit
    event.preventDefault();
    event.stopImmediatePropagation();
    return;
  }
  var flag = form.querySelector("input[name=confirmed]");
  if (!flag) {
    flag = document.createElement("input");
    flag.type = "hidden";
    flag.name = "confirmed";
    form.appendChild(flag);
  }
  flag.value = "1";
}, true);

// htmx asks again through its own htmx:confirm event: a form was already asked on submit
// (that second question was the double dialog of « Annuler »); only other elements
// (an hx-post button outside a form) are asked here.
document.addEventListener("htmx:confirm", function (event) {
  var el = event.target;
  var message = el.getAttribute("data-confirm");
  if (!message || el.tagName === "FORM" || (event.detail.triggeringEvent &&
      event.detail.triggeringEvent.type === "submit")) return;
  event.preventDefault();
  if (window.confirm(message)) event.detail.issueRequest(true);
});

function fadeToasts() {
  document.querySelectorAll("#toasts .toast:not([data-fading])").forEach(function (toast) {
    toast.setAttribute("data-fading", "1");
    setTimeout(function () { toast.remove(); }, 8000);
  });
}
document.addEventListener("DOMContentLoaded", fadeToasts);
document.addEventListener("htmx:afterSettle", fadeToasts);
document.addEventListener("htmx:oobAfterSwap", fadeToasts);

// Print buttons and "back" links on print-friendly pages.
document.addEventListener("click", function (event) {
  var el = event.target.closest("[data-print],[data-back]");
  if (!el) return;
  event.preventDefault();
  if (el.hasAttribute("data-print")) window.print(); else window.history.back();
});

// Multi-valued inputs: « Retirer » removes its row (the « + » button adds one via htmx).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-remove-row]");
  if (!button) return;
  var row = button.closest(".multi-row");
  var list = row && row.parentElement;
  if (list && list.querySelectorAll(".multi-row").length > 1) row.remove();
  else if (row) row.querySelector("input").value = "";
});
