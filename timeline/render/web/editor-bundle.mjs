// The query editor's bundle: CodeMirror 6 with the SPARQL mode of @codemirror/legacy-modes, built by esbuild
// (`npm run bundle:editor`, run by `npm ci`) into one script that the /editor page inlines. It exposes one
// global, TimelineEditor, so the page's own script (workbench-query.js) needs no module loader.
import {EditorState, Prec} from "@codemirror/state";
import {EditorView, keymap, lineNumbers, highlightActiveLine, drawSelection} from "@codemirror/view";
import {StreamLanguage, syntaxHighlighting, HighlightStyle, bracketMatching} from "@codemirror/language";
import {tags} from "@lezer/highlight";
import {defaultKeymap, history, historyKeymap} from "@codemirror/commands";
import {setDiagnostics, lintGutter} from "@codemirror/lint";
import {sparql} from "@codemirror/legacy-modes/mode/sparql";

// Colours from the page's CSS variables (light and dark themes, contrast checked there); the SPARQL mode's
// tokens: keywords, ?variables, <IRIs> and literals (atom), prefixed names (meta), strings, comments, functions.
const highlight = HighlightStyle.define([
  {tag: tags.keyword, color: "var(--wbq-keyword)", fontWeight: "600"},
  {tag: [tags.variableName, tags.special(tags.variableName)], color: "var(--wbq-variable)"},
  {tag: tags.atom, color: "var(--wbq-iri)"},
  {tag: tags.meta, color: "var(--wbq-prefixed)"},
  {tag: tags.string, color: "var(--wbq-string)"},
  {tag: tags.comment, color: "var(--wbq-comment)", fontStyle: "italic"},
  {tag: tags.standard(tags.variableName), color: "var(--wbq-builtin)"},
]);

function create(parent, options) {
  const run = options.onRun || (() => {});
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: options.doc || "",
      extensions: [
        lineNumbers(), history(), drawSelection(), highlightActiveLine(), bracketMatching(), lintGutter(),
        StreamLanguage.define(sparql), syntaxHighlighting(highlight),
        Prec.highest(keymap.of([{key: "Mod-Enter", run: () => { run(); return true; }}])),
        keymap.of([...defaultKeymap, ...historyKeymap]),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of(options.attributes || {}),
        EditorView.updateListener.of((update) => { if (update.docChanged && options.onChange) options.onChange(); }),
      ],
    }),
  });
  return {
    view,
    getValue: () => view.state.doc.toString(),
    setValue: (text) => view.dispatch({changes: {from: 0, to: view.state.doc.length, insert: text}}),
    focus: () => view.focus(),
    // An error at LINE:COLUMN (both 1-based), underlined and marked in the gutter; null clears.
    showError(line, column, message) {
      if (line == null) { view.dispatch(setDiagnostics(view.state, [])); return; }
      const doc = view.state.doc;
      const at = doc.line(Math.min(Math.max(1, line), doc.lines));
      // The engine points near where it stopped reading, often at the space before the culprit or past the
      // line's end: mark the next word on the line, else the line's last one.
      const space = (pos) => /\s/.test(doc.sliceString(pos, pos + 1));
      let from = Math.min(at.from + Math.max(0, (column || 1) - 1), at.to);
      while (from < at.to && space(from)) from++;
      if (from >= at.to) {
        from = at.to;
        while (from > at.from && space(from - 1)) from--;
        while (from > at.from && !space(from - 1)) from--;
      }
      let to = from;
      while (to < at.to && !space(to)) to++;
      view.dispatch(setDiagnostics(view.state, [{from, to, severity: "error", message}]));
    },
  };
}

window.TimelineEditor = {create};
