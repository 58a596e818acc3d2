// The workbench's name fields (timeline serve). wbCombobox gives a text field a list of matching names from
// GET /suggest as the reader types: arrow keys move through it, Enter or a click takes one, Escape closes. The
// search box in the header uses it to open the chosen page; the query pages' entity pickers (workbench-query.js)
// to fill in a name. Without JavaScript the fields still work: the search box submits to /search, a picker
// takes a name, alias or id. Reads only its own server (CSP connect-src 'self').
(function () {
  "use strict";

  // options: kind ("entity", "event"; none: both), min (characters before asking), take(item)
  function combobox(input, list, options) {
    var items = [];
    var active = -1;
    var asked = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function mark(i) {
      var nodes = list.children;
      for (var k = 0; k < nodes.length; k++) nodes[k].setAttribute("aria-selected", k === i ? "true" : "false");
      active = i;
      if (i >= 0) input.setAttribute("aria-activedescendant", nodes[i].id);
      else input.removeAttribute("aria-activedescendant");
    }

    function take(item) {
      close();
      options.take(item);
    }

    function show(found) {
      items = found;
      list.textContent = "";
      found.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.appendChild(document.createTextNode(item.label));
        var kind = document.createElement("span");
        kind.className = "wb-kind";
        kind.textContent = item.kind;
        li.appendChild(kind);
        li.addEventListener("mousedown", function (e) { e.preventDefault(); take(item); });
        list.appendChild(li);
      });
      list.hidden = found.length === 0;
      input.setAttribute("aria-expanded", found.length ? "true" : "false");
      active = -1;
    }

    // Asked once typing pauses: a list for "I" that arrives while the reader already moves through the one for
    // "ICE" would replace it under their keys (and each keystroke would cost the server a search).
    var timer = 0;
    input.addEventListener("input", function () {
      var text = input.value.trim();
      var ticket = ++asked;
      clearTimeout(timer);
      if (text.length < (options.min || 1)) { close(); return; }
      var url = "/suggest?q=" + encodeURIComponent(text) + (options.kind ? "&kind=" + encodeURIComponent(options.kind) : "");
      timer = setTimeout(function () {
        fetch(url, { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (found) { if (ticket === asked) show(found); })
          .catch(close);
      }, 150);
    });

    input.addEventListener("keydown", function (e) {
      if (list.hidden) return;
      if (e.key === "ArrowDown") { e.preventDefault(); mark(Math.min(active + 1, items.length - 1)); }
      else if (e.key === "ArrowUp") { e.preventDefault(); mark(Math.max(active - 1, -1)); }
      else if (e.key === "Escape") { e.preventDefault(); close(); }
      else if (e.key === "Enter" && active >= 0) { e.preventDefault(); take(items[active]); }
    });

    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  if (!window.fetch) return;
  window.wbCombobox = combobox;
  var input = document.getElementById("wb-q");
  var list = document.getElementById("wb-suggest");
  if (input && list) combobox(input, list, { min: 2, take: function (item) { window.location.href = item.url; } });
})();
