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

/* Dates: every <time data-local> is shown in the viewer's time zone (the server writes UTC). */
(function () {
  "use strict";
  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }
  function zoneName(date) {
    try {
      var parts = new Intl.DateTimeFormat(undefined, { timeZoneName: "short" }).formatToParts(date);
      for (var i = 0; i < parts.length; i++) {
        if (parts[i].type === "timeZoneName") {
          return parts[i].value;
        }
      }
    } catch (e) {
      /* fall through */
    }
    return "local";
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("time[data-local]"), function (el) {
      var date = new Date(el.getAttribute("datetime"));
      if (isNaN(date.getTime())) {
        return;
      }
      var text = date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) +
        " " + pad(date.getHours()) + ":" + pad(date.getMinutes());
      if (el.hasAttribute("data-seconds")) {
        text += ":" + pad(date.getSeconds());
      }
      el.title = el.textContent;
      el.textContent = text + " " + zoneName(date);
    });
    var all = document.querySelector("[data-select-all]");
    if (all) {
      all.addEventListener("change", function () {
        Array.prototype.forEach.call(document.querySelectorAll("[data-pick]"), function (box) {
          box.checked = all.checked;
        });
      });
    }
  });
})();
