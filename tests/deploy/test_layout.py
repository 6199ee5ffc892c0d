"""deploy/layout.py: content-hashed folder names."""

from deploy import layout


def test_folder_names_follow_their_content(tmp_path):
    names = []
    for parent, text in (("a", "one"), ("b", "one"), ("c", "two")):
        (tmp_path / parent / "x").mkdir(parents=True)
        (tmp_path / parent / "x" / "f.txt").write_text(text)
        names.append(layout.content_named(tmp_path / parent / "x", "x"))
        assert (tmp_path / parent / names[-1]).is_dir() and not (tmp_path / parent / "x").exists()
    assert names[0] == names[1] != names[2]
