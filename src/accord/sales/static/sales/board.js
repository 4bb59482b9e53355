/* The deal board: drag and drop (SortableJS) and keyboard moves between stages.
 *
 * Markup (sales/deal_board.html):
 *   #deal-board[data-move-url-template="/deals/0/move"][data-close-url-template="/deals/0/close"]
 *     .board-column[data-stage-id][data-stage-kind="open|won|lost"][data-stage-name]
 *       .board-cards > .deal-card[data-deal-id][tabindex=0]
 *   dialog#deal-close-dialog > .modal-body#deal-close-body
 *
 * A move posts stage=<id> plus the board's filters; the answer is HTML whose elements with an
 * id replace the elements of the page with the same id (column headers, board totals, the
 * card). Moving into a won or lost stage opens a dialog first (final amount / lost reason);
 * cancelling it puts the card back.
 *
 * Keys on a focused card: arrows move the focus, Shift+Left/Right moves the card to the
 * previous/next stage, Enter opens the deal.
 */
(function () {
  "use strict";

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function announce(text) {
    const live = document.getElementById("board-live");
    if (live) live.textContent = text;
  }

  function flash(text, level) {
    if (window.Accord && window.Accord.flash) window.Accord.flash(text, level || "info");
  }

  function swapById(html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    Array.prototype.slice.call(template.content.children).forEach(function (fresh) {
      if (!fresh.id) return;
      const old = document.getElementById(fresh.id);
      if (!old) return;
      const hadFocus = old === document.activeElement;
      old.replaceWith(fresh);
      if (window.htmx) window.htmx.process(fresh);
      if (hadFocus && fresh.focus) fresh.focus();
    });
  }

  function init(board) {
    if (board.dataset.ready) return;
    board.dataset.ready = "1";
    const moveTemplate = board.dataset.moveUrlTemplate;
    const closeTemplate = board.dataset.closeUrlTemplate;
    const dialog = document.getElementById("deal-close-dialog");
    const dialogBody = document.getElementById("deal-close-body");
    const filters = document.getElementById("board-filters");
    let pending = null; // {card, from, index} while the close dialog is open

    function urlFor(template, id) {
      return template.replace("/0/", "/" + id + "/");
    }

    function filterParams() {
      const params = new URLSearchParams();
      if (filters) {
        new FormData(filters).forEach(function (value, key) {
          if (value !== "") params.append(key, value);
        });
      }
      return params;
    }

    function columnOf(el) {
      return el.closest(".board-column");
    }

    function putBack(card, from, index) {
      const cards = from.querySelector(".board-cards");
      const sibling = cards.children[index] || null;
      if (sibling === card) return;
      cards.insertBefore(card, sibling);
    }

    function refreshEmpty() {
      board.querySelectorAll(".board-column:not(.board-column-close)").forEach(function (column) {
        const cards = column.querySelector(".board-cards");
        column.classList.toggle("is-empty", cards.querySelector(".deal-card") === null);
      });
    }

    function move(card, from, to, index) {
      const kind = to.dataset.stageKind;
      const id = card.dataset.dealId;
      refreshEmpty();
      if (kind === "won" || kind === "lost") {
        pending = { card: card, from: from, index: index };
        const params = filterParams();
        params.set("stage", to.dataset.stageId);
        fetch(urlFor(closeTemplate, id) + "?" + params.toString(), {
          credentials: "same-origin",
          headers: { "HX-Request": "true" },
        })
          .then(function (response) {
            if (!response.ok) throw new Error(String(response.status));
            return response.text();
          })
          .then(function (html) {
            dialogBody.innerHTML = html;
            if (window.htmx) window.htmx.process(dialogBody);
            dialog.showModal();
            const first = dialogBody.querySelector("input:not([type=hidden]), select, textarea");
            if (first) first.focus();
          })
          .catch(function () {
            putBack(card, from, index);
            pending = null;
            refreshEmpty();
            flash(board.dataset.messageError, "error");
          });
        return;
      }
      const body = filterParams();
      body.set("stage", to.dataset.stageId);
      card.classList.add("is-saving");
      fetch(urlFor(moveTemplate, id), {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
      })
        .then(function (response) {
          return response.text().then(function (text) {
            return { ok: response.ok, status: response.status, text: text };
          });
        })
        .then(function (result) {
          card.classList.remove("is-saving");
          if (!result.ok) {
            putBack(card, from, index);
            refreshEmpty();
            const message = result.status === 400 && result.text ? result.text : board.dataset.messageError;
            flash(message, "error");
            return;
          }
          swapById(result.text);
          refreshEmpty();
          announce(board.dataset.messageMoved.replace("%(deal)s", card.dataset.dealName)
            .replace("%(stage)s", to.dataset.stageName));
        })
        .catch(function () {
          card.classList.remove("is-saving");
          putBack(card, from, index);
          refreshEmpty();
          flash(board.dataset.messageError, "error");
        });
    }

    if (window.Sortable) {
      board.querySelectorAll(".board-cards").forEach(function (list) {
        window.Sortable.create(list, {
          group: "deals",
          sort: false,
          animation: 120,
          draggable: ".deal-card",
          ghostClass: "is-ghost",
          chosenClass: "is-chosen",
          dragClass: "is-dragging",
          forceFallback: false,
          onStart: function () {
            board.classList.add("has-drag");
          },
          onEnd: function (event) {
            board.classList.remove("has-drag");
            if (event.from === event.to) return;
            move(event.item, columnOf(event.from), columnOf(event.to), event.oldIndex);
          },
        });
      });
    }

    // The close dialog: the form inside posts with HTMX; success triggers "deal-closed".
    if (dialog) {
      dialog.addEventListener("close", function () {
        if (pending) {
          putBack(pending.card, pending.from, pending.index);
          refreshEmpty();
          pending.card.focus();
          pending = null;
        }
        dialogBody.innerHTML = "";
      });
      dialog.addEventListener("click", function (event) {
        if (event.target.closest("[data-dialog-cancel]")) dialog.close();
      });
      document.body.addEventListener("deal-closed", function () {
        if (pending) {
          // a closed deal leaves the board; the focus goes to a neighbour in its old column
          const card = pending.card;
          const from = pending.from;
          pending = null;
          card.remove();
          const next = from.querySelector(".deal-card");
          if (next) next.focus();
          announce(board.dataset.messageClosed.replace("%(deal)s", card.dataset.dealName));
        }
        if (dialog.open) dialog.close();
        refreshEmpty();
      });
    }

    // ---- keyboard ----
    function cardsIn(column) {
      return Array.prototype.slice.call(column.querySelectorAll(".deal-card"));
    }
    function columns() {
      return Array.prototype.slice.call(board.querySelectorAll(".board-column:not(.board-column-close)"));
    }

    board.addEventListener("keydown", function (event) {
      const card = event.target.closest ? event.target.closest(".deal-card") : null;
      if (!card || event.target !== card) return;
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      const column = columnOf(card);
      const all = columns();
      const col = all.indexOf(column);
      const list = cardsIn(column);
      const row = list.indexOf(card);
      let target = null;
      if (event.key === "Enter") {
        const link = card.querySelector("a.deal-card-link");
        if (link) link.click();
        event.preventDefault();
        return;
      }
      if (event.shiftKey && (event.key === "ArrowLeft" || event.key === "ArrowRight")) {
        const next = all[col + (event.key === "ArrowLeft" ? -1 : 1)];
        event.preventDefault();
        if (!next) return;
        const cards = next.querySelector(".board-cards");
        cards.insertBefore(card, cards.firstChild);
        card.focus();
        move(card, column, next, row);
        return;
      }
      if (!event.shiftKey && (event.key === "w" || event.key === "l")) {
        const close = board.querySelector('.board-column-close[data-stage-kind="' + (event.key === "w" ? "won" : "lost") + '"]');
        event.preventDefault();
        if (close) move(card, column, close, row);
        return;
      }
      if (event.key === "ArrowDown") target = list[row + 1];
      else if (event.key === "ArrowUp") target = list[row - 1];
      else if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
        const step = event.key === "ArrowLeft" ? -1 : 1;
        for (let i = col + step; i >= 0 && i < all.length; i += step) {
          const other = cardsIn(all[i]);
          if (other.length) {
            target = other[Math.min(row, other.length - 1)];
            break;
          }
        }
      } else if (event.key === "Home") target = list[0];
      else if (event.key === "End") target = list[list.length - 1];
      else return;
      event.preventDefault();
      if (target) target.focus();
    });

    refreshEmpty();
  }

  function start() {
    document.querySelectorAll("#deal-board").forEach(init);
    const switcher = document.getElementById("board-pipeline");
    if (switcher && !switcher.dataset.ready) {
      switcher.dataset.ready = "1";
      switcher.addEventListener("change", function () {
        window.location.href = switcher.dataset.boardUrl + "?pipeline=" + encodeURIComponent(switcher.value);
      });
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  document.addEventListener("htmx:afterSettle", start);
})();
