"""build.py: the dist/ it assembles (layout, the trimmed lock file, both wheels, no external URLs,
the host configs, the service worker) and its clear errors. Each deploy/ step's own tests: tests/deploy/."""

import hashlib
import importlib.util
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
import build  # noqa: E402
from deploy import layout, trim  # noqa: E402
from deploy.assets import VENDOR_FILES  # noqa: E402
from deploy.runtime import NUMPY_WHEEL, PYODIDE_NPM, numpy_wheel  # noqa: E402
from deploy.url_check import external_references  # noqa: E402
from deploy.wheel import inkling_wheel  # noqa: E402

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
    assert {f for f in runtime if not f.endswith(".br")} == RUNTIME | {
        NUMPY_WHEEL,
        trim.STDLIB_REST,
        trim.NUMPY_REST,
    }
    files = {f for f in files if not f.endswith(".br")}  # brotli copies: test_brotli_copies
    assert {f for f in files if f.startswith(where["APP_DIR"])} == {
        where["APP_DIR"] + n for n in ("pyodide-lock.json", "inkling-0.1.0-py3-none-any.whl")
    }
    assert {f for f in files if f.startswith(where["WEIGHTS_DIR"])} == {
        where["WEIGHTS_DIR"] + n for n in ("manifest.json", "tiny/1.W.npy", "tiny/1.b.npy")
    }
    for name in RUNTIME - {"python_stdlib.zip"}:
        assert sha(dist / where["PYODIDE_DIR"] / name) == sha(PYODIDE_NPM / name)
    assert not {f for f in files if f.split("/")[0] in ("pyodide", "weights")}
    for source, target in VENDOR_FILES.items():
        assert sha(dist / target) == sha(REPO / "node_modules" / source)


def test_zips_are_stored_with_the_same_members(dist):
    """The stdlib and the numpy wheel are re-packed uncompressed (the server compresses them
    better) and each split in two (deploy/trim.py): what the boot imports, and the rest. The
    stdlib: every member in one of the two, plus lazy_rest; the rest the same bytes, the boot's
    modules compiled to .pyc (by Pyodide's CPython 3.12, from their source without docstrings and
    comments), its other files the same. numpy: each module as .pyc, what the page never uses
    left out, every other file the same, RECORD rewritten to match."""
    runtime = dist / built(dist)["PYODIDE_DIR"]
    magic = importlib.util.MAGIC_NUMBER if sys.version_info[:2] == (3, 12) else (3531).to_bytes(2, "little") + b"\r\n"
    boot, rest = members(runtime / "python_stdlib.zip"), members(runtime / trim.STDLIB_REST)
    original = members(PYODIDE_NPM / "python_stdlib.zip")
    source = {n + "c" if n.endswith(".py") and n + "c" in boot else n: n for n in original}  # boot member -> original
    files = lambda zip_members: {n for n in zip_members if not n.endswith("/")}  # noqa: E731
    assert set(boot) - set(source) == {"lazy_rest.pyc", "lazy_rest.json"} and not files(boot) & files(rest)
    assert {source.get(n, n) for n in boot} | set(rest) == set(original) | {"lazy_rest.pyc", "lazy_rest.json"}
    assert all(data == original[name][0] for name, (data, _) in rest.items())
    compiled = [n for n in boot if n.endswith(".pyc")]
    assert len(compiled) > 140 and not [n for n in boot if n.endswith(".py")]
    assert all(boot[n][0][:4] == magic for n in compiled), "not CPython 3.12 bytecode"
    assert all(data == original[name][0] for name, (data, _) in boot.items() if name in original)
    assert all(kind == zipfile.ZIP_STORED for _, kind in [*boot.values(), *rest.values()])
    assert "json/__init__.pyc" in boot and "email/mime/text.py" in rest and "pyodide/console.py" in rest

    mine = members(runtime / NUMPY_WHEEL) | members(runtime / trim.NUMPY_REST)
    original = members(numpy_wheel())
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
    assert all(mine[n + "c"][0][:4] == magic for n in sources), "not CPython 3.12 bytecode"
    record = mine["numpy-2.0.2.dist-info/RECORD"][0].decode().splitlines()
    assert len(record) == len(mine)
    for line in record[:-1]:
        name, digest, size = line.rsplit(",", 2)
        assert int(size) == len(mine[name][0])
    others = [n for n in original if not n.endswith((".py", "RECORD"))]
    assert all(mine[n][0] == original[n][0] for n in others)


def test_brotli_copies(dist):
    """Beside each big content-hashed file a .br of it, where that is smaller (nginx's brotli_static)."""
    where = built(dist)
    big = [dist / where["PYODIDE_DIR"] / n for n in ("pyodide.asm.wasm", "python_stdlib.zip", NUMPY_WHEEL)]
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
    original = json.loads((PYODIDE_NPM / "pyodide-lock.json").read_text())
    assert lock["info"] == original["info"] and lock["info"]["version"] == "0.27.7"
    assert set(lock["packages"]) == {"numpy", "inkling"}
    numpy = lock["packages"]["numpy"]
    assert (
        original["packages"]["numpy"]["sha256"]
        == sha(numpy_wheel())
        == "ebb61241d962b98b21597d7ce43b67668a6d5bab3acec4fbe958657320d7cd08"
    )
    assert numpy == {**original["packages"]["numpy"], "sha256": sha(dist / where["PYODIDE_DIR"] / NUMPY_WHEEL)}
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


def test_dist_ships_the_inkling_wheel_compiled(dist, tmp_path):
    """The same wheel deploy/wheel.py makes, its modules compiled, as numpy's (checked in Pyodide by
    tests/py/nn/test_in_pyodide.py; CPython 3.11 cannot read 3.12 bytecode)."""
    shipped = members(dist / built(dist)["APP_DIR"] / "inkling-0.1.0-py3-none-any.whl")
    with zipfile.ZipFile(inkling_wheel(tmp_path)) as z:
        assert set(shipped) == {n + "c" if n.endswith(".py") else n for n in z.namelist()}


def test_dist_has_no_external_or_root_absolute_urls(dist):
    assert external_references(dist) == []


def test_missing_node_modules_says_run_npm_ci(tmp_path, monkeypatch):
    monkeypatch.setattr("deploy.runtime.PYODIDE_NPM", tmp_path / "node_modules" / "pyodide")
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


def test_lazy_parts_hold_what_boot_leaves_out(dist):
    """lazy_rest.json (in the boot stdlib) names each rest zip with its sha256 and modules; the
    service worker precaches neither (fetched on first import) and knows both as lazy."""
    runtime = dist / built(dist)["PYODIDE_DIR"]
    with zipfile.ZipFile(runtime / "python_stdlib.zip") as z:
        parts = json.loads(z.read("lazy_rest.json"))
        boot_modules = {trim.module_name(n) for n in z.namelist()} - {None}
    assert set(parts) == {trim.STDLIB_REST, trim.NUMPY_REST}
    for file, part in parts.items():
        assert part["sha256"] == sha(runtime / file)
        with zipfile.ZipFile(runtime / file) as z:
            assert set(part["modules"]) == {trim.module_name(n) for n in z.namelist()} - {None}
    assert {"email.mime.text", "tomllib"} <= set(parts[trim.STDLIB_REST]["modules"])
    assert {"numpy.random", "numpy.fft", "numpy.ma"} <= set(parts[trim.NUMPY_REST]["modules"])
    assert not boot_modules & set(parts[trim.STDLIB_REST]["modules"])
    source = (dist / "sw.js").read_text()
    build_info = json.loads(source[source.index("const BUILD = ") + 14 : source.index("\n};") + 2])
    assert sorted(build_info["lazy"]) == sorted(built(dist)["PYODIDE_DIR"] + f for f in parts)
    assert not set(build_info["lazy"]) & {e["url"] for e in build_info["precache"]}
