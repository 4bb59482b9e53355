/* Accord shell behaviour: command palette, keyboard shortcuts, theme switch.
 *
 * Shortcuts (also listed in the "?" overlay):
 *   Ctrl-K / Cmd-K  command palette      /  focus the search box
 *   ?               shortcut help        t  switch light/dark theme
 *   g + key         go to a page: any element with data-shortcut="g x" is followed
 *   Esc             close dialogs and menus
 * Elements with data-action="palette" | "shortcuts" | "theme-toggle" and data-theme-set="..."
 * are wired here, so templates need no inline script.
 */
(function () {
  "use strict";

  const isMac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
  const root = document.documentElement;

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function isTyping(target) {
    if (!target || !(target instanceof Element)) return false;
    if (target.isContentEditable) return true;
    const tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  function anyDialogOpen() {
    return document.querySelector("dialog[open]") !== null;
  }

  /* ---------- theme ---------- */
  function effectiveTheme() {
    const theme = root.dataset.theme || "auto";
    if (theme !== "auto") return theme;
    return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  function markThemeButtons() {
    const theme = root.dataset.theme || "auto";
    document.querySelectorAll("[data-theme-set]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.themeSet === theme));
    });
    // Keep the profile form in step, so saving it does not undo a switch made meanwhile.
    document.querySelectorAll('input[type="radio"][name="theme"]').forEach(function (radio) {
      radio.checked = radio.value === theme;
    });
  }

  function setTheme(theme) {
    root.dataset.theme = theme;
    markThemeButtons();
    const url = document.body.dataset.themeUrl;
    if (!url) return Promise.resolve();
    const body = new URLSearchParams({ theme: theme });
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
    }).then(function (response) {
      document.body.dispatchEvent(
        new CustomEvent("accord:theme-saved", { detail: { theme: theme, ok: response.ok } })
      );
    });
  }

  function toggleTheme() {
    return setTheme(effectiveTheme() === "dark" ? "light" : "dark");
  }

  /* ---------- command palette ---------- */
  const palette = {
    dialog: null,
    input: null,
    results: null,

    init() {
      this.dialog = document.getElementById("palette");
      this.input = document.getElementById("palette-input");
      this.results = document.getElementById("palette-results");
      if (!this.dialog) return;
      this.input.addEventListener("keydown", (event) => this.onKey(event));
      this.results.addEventListener("htmx:afterSwap", () => this.select(0));
      this.results.addEventListener("mousemove", (event) => {
        const item = event.target.closest("[data-palette-item]");
        if (item) this.select(this.items().indexOf(item), false);
      });
      this.results.addEventListener("click", (event) => {
        const item = event.target.closest("[data-palette-item]");
        if (item && item.dataset.method) {
          event.preventDefault();
          this.activate(item);
        }
      });
      this.dialog.addEventListener("click", (event) => {
        if (event.target === this.dialog) this.close(); // click on the backdrop
      });
    },

    open() {
      if (!this.dialog) return;
      if (!this.dialog.open) this.dialog.showModal();
      this.input.value = "";
      this.input.focus();
      if (window.htmx) window.htmx.trigger(this.input, "palette-open");
    },

    close() {
      if (this.dialog && this.dialog.open) this.dialog.close();
    },

    items() {
      return Array.from(this.results.querySelectorAll("[data-palette-item]"));
    },

    selectedIndex() {
      return this.items().findIndex((item) => item.getAttribute("aria-selected") === "true");
    },

    select(index, scroll = true) {
      const items = this.items();
      items.forEach((item, position) => {
        item.setAttribute("aria-selected", String(position === index));
        if (position === index) {
          item.id = item.id || "palette-option-" + position;
          this.input.setAttribute("aria-activedescendant", item.id);
          if (scroll) item.scrollIntoView({ block: "nearest" });
        }
      });
    },

    move(delta) {
      const count = this.items().length;
      if (!count) return;
      const current = this.selectedIndex();
      this.select((current + delta + count) % count);
    },

    activate(item) {
      if (!item) return;
      const method = (item.dataset.method || "get").toLowerCase();
      if (method === "get") {
        window.location.assign(item.href);
        return;
      }
      const form = document.createElement("form");
      form.method = "post";
      form.action = item.href;
      const token = document.createElement("input");
      token.type = "hidden";
      token.name = "csrfmiddlewaretoken";
      token.value = csrfToken();
      form.appendChild(token);
      document.body.appendChild(form);
      form.submit();
    },

    onKey(event) {
      if (event.key === "ArrowDown" || (event.ctrlKey && event.key === "n")) {
        event.preventDefault();
        this.move(1);
      } else if (event.key === "ArrowUp" || (event.ctrlKey && event.key === "p")) {
        event.preventDefault();
        this.move(-1);
      } else if (event.key === "Enter") {
        event.preventDefault();
        const items = this.items();
        this.activate(items[Math.max(0, this.selectedIndex())]);
      }
    },
  };

  /* ---------- HTMX: expired sessions and errors ---------- */
  function flash(text, level) {
    const box = document.getElementById("flashes");
    if (!box) return;
    const item = document.createElement("div");
    item.className = "flash flash-" + level;
    item.setAttribute("role", level === "error" ? "alert" : "status");
    const span = document.createElement("span");
    span.className = "flash-text";
    span.textContent = text;
    const close = document.createElement("button");
    close.type = "button";
    close.className = "icon-btn flash-close";
    close.setAttribute("aria-label", document.body.dataset.messageDismiss || "Dismiss");
    close.textContent = "×";
    close.addEventListener("click", () => item.remove());
    item.append(span, close);
    box.append(item);
  }

  function onBeforeSwap(event) {
    // A swap whose answer is the sign-in page means the session expired: go there whole.
    const xhr = event.detail.xhr;
    const login = document.body.dataset.loginUrl;
    if (xhr && login && xhr.responseURL) {
      const url = new URL(xhr.responseURL);
      if (url.pathname === login) {
        event.detail.shouldSwap = false;
        const here = window.location.pathname + window.location.search;
        window.location.assign(login + "?next=" + encodeURIComponent(here));
      }
    }
  }

  /* ---------- shortcuts ---------- */
  let pendingPrefix = "";
  let prefixTimer = 0;

  function followShortcut(sequence) {
    const target = document.querySelector('[data-shortcut="' + sequence + '"]');
    if (target && target.href) {
      window.location.assign(target.href);
      return true;
    }
    return false;
  }

  function openShortcuts() {
    const dialog = document.getElementById("shortcuts");
    if (dialog && !dialog.open) dialog.showModal();
  }

  function onKeydown(event) {
    const key = event.key;
    if ((event.ctrlKey || event.metaKey) && !event.altKey && key.toLowerCase() === "k") {
      event.preventDefault();
      if (palette.dialog && palette.dialog.open) palette.close();
      else palette.open();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target) || anyDialogOpen()) {
      if (key === "Escape" && isTyping(event.target) && !anyDialogOpen()) event.target.blur();
      return;
    }
    if (pendingPrefix) {
      const sequence = pendingPrefix + " " + key;
      pendingPrefix = "";
      clearTimeout(prefixTimer);
      if (followShortcut(sequence)) event.preventDefault();
      return;
    }
    if (key === "g") {
      pendingPrefix = "g";
      prefixTimer = window.setTimeout(() => (pendingPrefix = ""), 1200);
      return;
    }
    if (key === "/") {
      const search = document.getElementById("global-search");
      if (search) {
        event.preventDefault();
        search.focus();
        search.select();
      }
    } else if (key === "?") {
      event.preventDefault();
      openShortcuts();
    } else if (key === "t") {
      if (document.body.dataset.themeUrl) {
        event.preventDefault();
        toggleTheme();
      }
    }
  }

  function onClick(event) {
    const actionEl = event.target.closest("[data-action]");
    if (actionEl) {
      const action = actionEl.dataset.action;
      if (action === "palette") palette.open();
      else if (action === "shortcuts") openShortcuts();
      else if (action === "theme-toggle") toggleTheme();
      return;
    }
    const themeEl = event.target.closest("[data-theme-set]");
    if (themeEl) setTheme(themeEl.dataset.themeSet);
  }

  function init() {
    palette.init();
    markThemeButtons();
    if (isMac) {
      document.querySelectorAll("[data-mod-key]").forEach((el) => (el.textContent = "⌘"));
    }
    document.addEventListener("keydown", onKeydown);
    document.addEventListener("click", onClick);
    document.body.addEventListener("htmx:beforeSwap", onBeforeSwap);
    document.body.addEventListener("htmx:responseError", () =>
      flash(document.body.dataset.messageError || "Error", "error")
    );
    document.body.addEventListener("htmx:sendError", () =>
      flash(document.body.dataset.messageOffline || "Offline", "error")
    );
  }

  window.Accord = { palette: palette, setTheme: setTheme, toggleTheme: toggleTheme, flash: flash };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
