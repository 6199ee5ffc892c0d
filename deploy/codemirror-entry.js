// What the Lab imports of CodeMirror 6, bundled by esbuild into dist/lab/codemirror.js
// (deploy/lab_build.py): the browser cannot resolve npm's bare module names itself.
export { basicSetup } from "codemirror";
export { EditorView, keymap } from "@codemirror/view";
export { EditorState } from "@codemirror/state";
export { indentWithTab } from "@codemirror/commands";
export { python } from "@codemirror/lang-python";
