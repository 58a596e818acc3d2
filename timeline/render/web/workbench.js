// The workbench's search box (timeline serve): as the reader types, a list of matching entities and events
// from GET /suggest; arrow keys move through it, Enter opens the chosen page, Escape closes the list. Without
// JavaScript the box still works: the form submits to /search. Reads only its own server (CSP connect-src 'self').
(function () {
  "use strict";
  var input = document.getElementById("wb-q");
  var list = document.getElementById("wb-suggest");
  if (!input || !list || !window.fetch) return;
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

  function show(found) {
    items = found;
    list.textContent = "";
    found.forEach(function (item, i) {
      var li = document.createElement("li");
      li.id = "wb-suggest-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.appendChild(document.createTextNode(item.label));
      var kind = document.createElement("span");
      kind.className = "wb-kind";
      kind.textContent = item.kind;
      li.appendChild(kind);
      li.addEventListener("mousedown", function (e) {
        e.preventDefault();
        window.location.href = item.url;
      });
      list.appendChild(li);
    });
    list.hidden = found.length === 0;
    input.setAttribute("aria-expanded", found.length ? "true" : "false");
    active = -1;
  }

  input.addEventListener("input", function () {
    var text = input.value.trim();
    var ticket = ++asked;
    if (text.length < 2) { close(); return; }
    fetch("/suggest?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (found) { if (ticket === asked) show(found); })
      .catch(function () { close(); });
  });

  input.addEventListener("keydown", function (e) {
    if (list.hidden) return;
    if (e.key === "ArrowDown") { e.preventDefault(); mark(Math.min(active + 1, items.length - 1)); }
    else if (e.key === "ArrowUp") { e.preventDefault(); mark(Math.max(active - 1, -1)); }
    else if (e.key === "Escape") { close(); }
    else if (e.key === "Enter" && active >= 0) { e.preventDefault(); window.location.href = items[active].url; }
  });

  input.addEventListener("blur", function () { setTimeout(close, 100); });
})();
