// The workbench's query pages (timeline serve: /queries/NAME, /editor, /path). Without this script every form
// still works: a picker is a text field that takes a name, alias or id, the editor a textarea.
// 1. Entity pickers (input[data-suggest]): the workbench's combobox (workbench.js, wbCombobox) fills in the
//    name taken from the list of matching names.
// 2. The editor (#wbq-query): CodeMirror (window.TimelineEditor, the inlined bundle) takes the textarea's place;
//    Ctrl+Enter runs; a syntax error is marked at its line and column.
(function () {
  "use strict";

  function picker(input) {
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
    // the server takes a label as the command line does
    window.wbCombobox(input, list, { kind: kind === "any" ? "" : kind, min: 1,
                                     take: function (item) { input.value = item.label; } });
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

  var inputs = window.wbCombobox ? document.querySelectorAll("input[data-suggest]") : [];  // workbench.js
  for (var i = 0; i < inputs.length; i++) picker(inputs[i]);
  editor();
})();
