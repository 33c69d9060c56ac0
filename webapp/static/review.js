/* newsdedup review: keyboard shortcuts. No dependencies, no inline script (CSP).
 *
 * Queue: j/k move the current row, o (or Enter) opens it, y/n/b decide it.
 * Pair page: j/k go to the next/previous pair, y/n/b decide, o opens the flagged article.
 */
(function () {
  "use strict";

  var KEY_STORE = "newsdedup.row";

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-row]"));
  }

  function current() {
    return document.querySelector("[data-row].is-current");
  }

  function select(index) {
    var all = rows();
    if (!all.length) {
      return;
    }
    index = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (row) {
      row.classList.remove("is-current");
      row.removeAttribute("aria-selected");
    });
    var row = all[index];
    row.classList.add("is-current");
    row.setAttribute("aria-selected", "true");
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var all = rows();
    var row = current();
    select(row ? all.indexOf(row) + step : 0);
  }

  function typing(target) {
    if (!target || !target.tagName) {
      return false;
    }
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function press(key) {
    var scope = rows().length ? current() : document;
    if (!scope) {
      return false;
    }
    var target = scope.querySelector('[data-key="' + key + '"]');
    if (!target) {
      return false;
    }
    if (scope !== document) {
      sessionStorage.setItem(KEY_STORE, String(rows().indexOf(scope)));
    }
    target.click();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) {
      return;
    }
    var key = event.key;
    var handled = false;
    if (rows().length && (key === "j" || key === "k")) {
      move(key === "j" ? 1 : -1);
      handled = true;
    } else if (rows().length && key === "Enter" && current()) {
      handled = press("o");
    } else if (["j", "k", "o", "y", "n", "b"].indexOf(key) !== -1) {
      handled = press(key);
    }
    if (handled) {
      event.preventDefault();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var all = rows();
    all.forEach(function (row, index) {
      row.addEventListener("click", function (event) {
        if (!event.target.closest("a, button, input, select, textarea")) {
          select(index);
        }
      });
    });
    if (all.length) {
      var kept = parseInt(sessionStorage.getItem(KEY_STORE) || "0", 10);
      sessionStorage.removeItem(KEY_STORE);
      select(isNaN(kept) ? 0 : kept);
    }
  });
})();
