/* The deal 360° view: buttons with data-open-dialog="<id>" open that <dialog>; elements with
 * data-dialog-cancel close the dialog they are in. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    const opener = event.target.closest("[data-open-dialog]");
    if (opener) {
      const dialog = document.getElementById(opener.dataset.openDialog);
      if (dialog) {
        dialog.showModal();
        const first = dialog.querySelector("input:not([type=hidden]), select, textarea");
        if (first) first.focus();
      }
      return;
    }
    const cancel = event.target.closest("[data-dialog-cancel]");
    if (cancel) {
      const dialog = cancel.closest("dialog");
      if (dialog && dialog.id !== "deal-close-dialog") dialog.close();
    }
  });
})();
