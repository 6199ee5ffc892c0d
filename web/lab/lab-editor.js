// A CodeMirror 6 editor for Python (line numbers, undo, highlighting, brackets: basicSetup),
// its text kept in localStorage under `storageKey` on every change, so a reload finds it again.
// codemirror.js is the bundle build.py writes (deploy/lab_build.py); it is in dist/, not web/.

import { EditorState, EditorView, basicSetup, indentWithTab, keymap, python } from "./codemirror.js";

// CodeMirror injects its styles at run time. Into a document it would add a <style> element, which
// the site's Content-Security-Policy (style-src 'self', no inline styles) refuses; into a shadow root
// it adopts constructed style sheets, which the policy allows. So every editor lives in one.
function shadowOf(host) {
  return host.shadowRoot ?? host.attachShadow({ mode: "open" });
}

// The height the host's CSS gives: the editor fills it and scrolls ("auto": as tall as its text).
const sized = (height) => EditorView.theme({ "&": height === "auto" ? { maxHeight: "280px" } : { height: "100%" },
                                             ".cm-scroller": { overflow: "auto" } });

export function readOnlyView(host, doc) {
  return new EditorView({ parent: shadowOf(host), doc, extensions: [basicSetup, python(), sized("auto"),
                                                                  EditorState.readOnly.of(true), EditorView.editable.of(false)] });
}

export class LabEditor {
  // onRun: Ctrl/Cmd+Enter; `fallback`: the text when nothing is stored.
  constructor(host, { storageKey, fallback = "", onRun = null, label = "Python code", height = "fill" }) {
    this.storageKey = storageKey;
    const saved = this.load();
    const keys = [indentWithTab];
    if (onRun) keys.unshift({ key: "Mod-Enter", run: () => { onRun(); return true; } });
    this.view = new EditorView({
      parent: shadowOf(host),
      doc: saved ?? fallback,
      extensions: [
        basicSetup, python(), keymap.of(keys), sized(height),
        EditorView.contentAttributes.of({ "aria-label": label }),
        EditorView.updateListener.of((update) => { if (update.docChanged) this.save(); }),
      ],
    });
    this.restored = saved !== null;
  }

  get text() { return this.view.state.doc.toString(); }

  // Replaces the whole text as one change: Undo brings the old text back.
  set text(value) {
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: value } });
  }

  load() {
    try {
      return localStorage.getItem(this.storageKey);
    } catch {
      return null;   // storage refused (private mode): the editor still works, unsaved
    }
  }

  save() {
    try {
      localStorage.setItem(this.storageKey, this.text);
    } catch {
      // full or refused: the text stays in the editor; Download .py keeps it
    }
  }
}
