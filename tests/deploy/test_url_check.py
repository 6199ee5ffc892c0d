"""deploy/url_check.py: what counts as an absolute or root-absolute URL in dist/'s text files."""

from deploy import url_check


def test_url_check_catches_what_it_should(tmp_path):
    bad = {
        "a.html": '<script src="/app.js"></script>',
        "b.html": '<link href="https://cdn.example.org/x.css">',
        "c.css": "body { background: url(/img.png) }",
        "d.js": 'const r = await fetch("/weights/manifest.json");',
        "e.js": 'import { x } from "/page/x.js";',
        "f.js": 'new Worker("//evil.example/w.js")',
        "g.js": '// a comment line is skipped, the next line is not\nfetch("https://cdn.example.org/a.js")',
    }
    good = {
        "ok.html": '<script type="module" src="page/main.js"></script><a href="#top">',
        "ok.js": 'new URL("../pyodide/", import.meta.url); const FS = "/weights";',
        "ok.css": "div { background: url(img.png) }",
        "ok-comments.js": "// see https://example.org/docs\n/**\n * https://github.com/x/y\n */",
    }
    for name, text in {**bad, **good}.items():
        (tmp_path / name).write_text(text + "\n")
    found = {line.split(":")[0] for line in url_check.external_references(tmp_path)}
    assert found == set(bad)
