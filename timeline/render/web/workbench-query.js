// The workbench's query pages (timeline serve: /queries/NAME, /editor, /path). Without this script every form
// still works: a picker is a text field that takes a name, alias or id, the editor a textarea.
// 1. Entity pickers (input[data-suggest]): as the reader types, a list of matching names from GET /suggest
//    (same origin only); arrow keys move, Enter or a click takes a name, Escape closes.
// 2. The editor (#wbq-query): CodeMirror (window.TimelineEditor, the inlined bundle) takes the textarea's place;
//    Ctrl+Enter runs; a syntax error is marked at its line and column.
(function () {
  "use strict";

  function picker(input, n) {
    var kind = input.getAttribute("data-suggest");
    var list = document.createElement("ul");
    list.id = input.id + "-suggest";
    list.className = "wb-suggest wbq-suggest";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    input.parentNode.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    var items = [], active = -1, asked = 0;

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
      input.value = item.label;  // the server takes a label as the command line does
      close();
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
        var what = document.createElement("span");
        what.className = "wb-kind";
        what.textContent = item.kind;
        li.appendChild(what);
        li.addEventListener("mousedown", function (e) { e.preventDefault(); take(item); });
        list.appendChild(li);
      });
      list.hidden = found.length === 0;
      input.setAttribute("aria-expanded", found.length ? "true" : "false");
      active = -1;
    }
    input.addEventListener("input", function () {
      var text = input.value.trim();
      var ticket = ++asked;
      if (!text) { close(); return; }
      var url = "/suggest?q=" + encodeURIComponent(text) + (kind === "any" ? "" : "&kind=" + encodeURIComponent(kind));
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (found) { if (ticket === asked) show(found); })
        .catch(close);
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

  function editor() {
    var area = document.getElementById("wbq-query");
    var form = document.getElementById("wbq-editor-form");
    if (!area || !form) return;
    var button = form.querySelector("button[name=run]");  // sends run=1: the answer, not only the editor
    function run() {
      if (form.requestSubmit) form.requestSubmit(button);
      else button.click();
    }
    var holder = document.getElementById("wbq-editor");
    if (!window.TimelineEditor || !holder) {  // no bundle: the textarea, with Ctrl+Enter
      area.addEventListener("keydown", function (e) {
        if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
      });
      return;
    }
    var cm = window.TimelineEditor.create(holder, {
      doc: area.value,
      onRun: run,
      attributes: { "aria-label": "SPARQL query", "aria-describedby": "wbq-editor-help", "aria-multiline": "true" }
    });
    holder.hidden = false;
    area.hidden = true;
    document.querySelector(".wbq-editor-label").addEventListener("click", function () { cm.focus(); });
    form.addEventListener("submit", function () { area.value = cm.getValue(); });
    var error = document.getElementById("wbq-error");
    var line = error && parseInt(error.getAttribute("data-line"), 10);
    if (line) {
      var column = parseInt(error.getAttribute("data-column"), 10) || 1;
      cm.showError(line, column, error.textContent.trim());
    }
    window.wbqEditor = cm;  // for tests and the console
  }

  var inputs = window.fetch ? document.querySelectorAll("input[data-suggest]") : [];
  for (var i = 0; i < inputs.length; i++) picker(inputs[i], i);
  editor();
})();
