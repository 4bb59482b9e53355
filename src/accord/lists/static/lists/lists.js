/* Lists: drop empty parameters from filter requests (clean URLs) and track row selection. */
(function () {
  "use strict";

  document.addEventListener("htmx:configRequest", function (event) {
    var source = event.detail.elt;
    if (!source || !source.closest || !source.closest("[data-drop-empty]")) return;
    var params = event.detail.parameters;
    // htmx 2 passes FormData (or a proxy of it); remove keys whose every value is empty
    if (params && typeof params.getAll === "function") {
      Array.from(new Set(Array.from(params.keys()))).forEach(function (key) {
        var kept = params.getAll(key).filter(function (value) { return value !== ""; });
        params.delete(key);
        kept.forEach(function (value) { params.append(key, value); });
      });
    } else if (params) {
      Object.keys(params).forEach(function (key) {
        if (params[key] === "" || (Array.isArray(params[key]) && params[key].every(function (v) { return v === ""; }))) {
          delete params[key];
        }
      });
    }
  });

  // Plain (non-HTMX) submits of a filter form: disable empty fields so they stay out of the URL.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-drop-empty")) return;
    Array.from(form.elements).forEach(function (el) {
      if (el.name && el.value === "" && !el.disabled) {
        el.disabled = true;
        setTimeout(function () { el.disabled = false; }, 0);
      }
    });
  }, true);

  document.addEventListener("alpine:init", function () {
    window.Alpine.data("listSelection", function (total) {
      return {
        total: total,
        selected: 0,
        pageSize: 0,
        allMatching: false,
        init: function () { this.refresh(); },
        boxes: function () { return Array.from(this.$root.querySelectorAll('input[name="ids"]')); },
        refresh: function () {
          var boxes = this.boxes();
          this.pageSize = boxes.length;
          this.selected = boxes.filter(function (b) { return b.checked; }).length;
          if (this.selected < this.pageSize) this.allMatching = false;
          if (this.$refs.all) {
            this.$refs.all.checked = this.pageSize > 0 && this.selected === this.pageSize;
            this.$refs.all.indeterminate = this.selected > 0 && this.selected < this.pageSize;
          }
        },
        toggleAll: function (checked) {
          this.boxes().forEach(function (b) { b.checked = checked; });
          this.refresh();
        },
        clear: function () { this.allMatching = false; this.toggleAll(false); },
      };
    });
  });
})();
