from __future__ import annotations

import os
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import voices
from tests.clirun import radio
from voices.normalize import (
    NORMALIZER_VERSION,
    SOUTH,
    Lexicon,
    LexiconError,
    Normalizer,
    normalize,
)
from voices.normalize.lexicon import with_entry
from voices.split import split


def test_nfc_and_nfd_input_read_the_same() -> None:
    text = "Thông báo khẩn: lũ quét tại thôn Nà Héo lúc 14h30 ngày 12/7/2026, gọi 0912 345 678."
    assert normalize(unicodedata.normalize("NFD", text)) == normalize(text)
    assert unicodedata.is_normalized("NFC", normalize(unicodedata.normalize("NFD", text)))


def test_emoji_control_characters_and_mixed_scripts_are_not_read() -> None:
    assert normalize("Họp 🙂 lúc 7h\x00\x07 nhé\u200b 中文 ok") == "Họp lúc bảy giờ nhé 中文 ok"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_normalizes_without_error_and_keeps_its_lines(text: str) -> None:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    assert len(normalize(text).split("\n")) == len(lines)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "12/7/2021",
                "7h30",
                "0912 345 678",
                "UBND",
                "85.000đ/kg",
                "khóa XVI",
                "2,5",
                "1.000.000",
                "-",
                "/",
                " ",
                "COVID-19",
                "thứ 2",
                "80 - 150mm",
                "a",
                "Đ",
                "%",
                ".",
                "749/QĐ-TTg",
            ]
        ),
        max_size=30,
    )
)
def test_adversarial_mixtures_of_patterns_leave_no_digits(pieces: list[str]) -> None:
    assert not any(ch.isdigit() for ch in normalize("".join(pieces)))


def test_a_megabyte_of_text_is_handled() -> None:
    text = ("Ngày 12/7/2021, UBND xã hỗ trợ 85.000đ/kg cho 1.250 hộ 🙂\x01. " * 16000)[:1_000_000]
    out = normalize(text)
    assert "bảo" not in out and "tám mươi lăm nghìn đồng" in out


def test_southern_readings_follow_the_voice() -> None:
    south = Normalizer(dialect=SOUTH)
    assert south.normalize("Có 1.105 hộ.") == "Có một ngàn một trăm lẻ năm hộ."
    assert normalize("Có 1.105 hộ.") == "Có một nghìn một trăm linh năm hộ."


def test_explain_shows_each_rewritten_span() -> None:
    reading, rewrites = Normalizer().explain("Theo Quyết định 749/QĐ-TTg, UBND xã họp lúc 7h30.")
    spans = {(r.original, r.kind) for r in rewrites}
    assert ("749/QĐ-TTg", "document") in spans
    assert ("UBND", "abbreviation") in spans and ("7h30", "time") in spans
    doc = next(r for r in rewrites if r.kind == "document")
    assert doc.reading == "bảy trăm bốn mươi chín quyết định thủ tướng"
    assert "Theo Quyết định 749/QĐ-TTg"[doc.start - 5 : doc.end] == "định 749/QĐ-TTg"
    assert reading.startswith("Theo Quyết định bảy trăm bốn mươi chín")


def test_lexicon_overrides_the_built_in_readings() -> None:
    lexicon = Lexicon.parse(
        "# commune names\nNà Héo = Nà Hẻo\nUBND = ủy ban\nVNeID = vê nét ai đi\n"
    )
    normalizer = Normalizer(lexicon)
    assert (
        normalizer.normalize("UBND thôn Nà Héo cài VNeID.")
        == "ủy ban thôn Nà Hẻo cài vê nét ai đi."
    )
    assert normalizer.normalize("thôn nà héo") == "thôn Nà Hẻo"  # case-insensitive
    assert Normalizer().normalize("UBND") == "ủy ban nhân dân"


def test_the_built_in_lexicon_lies_under_the_communes_own() -> None:
    text = "Họp online, xem livestream trên fanpage."
    assert Normalizer().normalize(text) == "Họp on lai, xem lai trim trên phan pết."
    commune = Normalizer(Lexicon.parse("online = trực tuyến"))
    assert commune.normalize(text) == "Họp trực tuyến, xem lai trim trên phan pết."


def test_explain_names_the_rule_of_each_new_reading() -> None:
    line = "Sạt lở tại Km 42 QL3B, GV nghỉ 8h-10h, đợt II, 2.500/3.000 hộ có 4G, xem backan.gov.vn."
    _, rewrites = Normalizer().explain(line)
    kinds = {r.original: (r.kind, r.reading) for r in rewrites}
    assert kinds["Km 42"] == ("road", "ki lô mét bốn mươi hai")
    assert kinds["QL3B"] == ("road", "quốc lộ ba bê")
    assert kinds["GV"] == ("abbreviation", "giáo viên")
    assert kinds["-"] == ("range", "đến")
    assert kinds["đợt II"] == ("roman", "đợt hai")
    assert kinds["2.500/3.000"] == ("fraction", "hai nghìn năm trăm trên ba nghìn")
    assert kinds["4G"] == ("number", "bốn gờ")
    assert kinds["backan.gov.vn"] == ("url", "bắc kạn chấm gờ ô vê chấm vê nờ")


@pytest.mark.parametrize("data", ["lexicon.txt", "syllables.txt"])
def test_the_shipped_readings_are_part_of_the_normalizer_version(data: str, tmp_path: Path) -> None:
    """Cached audio is keyed by NORMALIZER_VERSION: a line added to a shipped data file
    must change it, or programs made with the old reading would be served."""
    package = Path(voices.__file__).parent
    shutil.copytree(package, tmp_path / "voices")
    probe = ["-c", "from voices.normalize import NORMALIZER_VERSION as v; print(v)"]
    run = {"env": {**os.environ, "PYTHONPATH": str(tmp_path)}, "cwd": tmp_path}
    before = subprocess.run([sys.executable, *probe], capture_output=True, text=True, **run)
    with (tmp_path / "voices" / "data" / data).open("a", encoding="utf-8") as f:
        f.write("zoom = dum dum\n")
    after = subprocess.run([sys.executable, *probe], capture_output=True, text=True, **run)
    assert before.returncode == 0 and after.returncode == 0, before.stderr + after.stderr
    assert before.stdout.strip() == NORMALIZER_VERSION
    assert after.stdout.strip() != before.stdout.strip()


def test_lexicon_version_follows_its_entries_and_joins_the_normalizer_version() -> None:
    a = Lexicon.parse("Nà Héo = Nà Hẻo")
    b = Lexicon.parse("Nà Héo = Nà Héo")
    assert a.version != b.version
    assert a.version == Lexicon.parse("# comment\n  Nà Héo   =   Nà Hẻo  \n").version
    assert Normalizer(a).version != Normalizer(b).version
    assert Normalizer(a).version.startswith(NORMALIZER_VERSION)


def test_a_bad_lexicon_line_is_named_and_left_out() -> None:
    lexicon = Lexicon.parse("a = b\nno equals sign here\n = nothing written\nc = d\n")
    assert lexicon.entries == {"a": "b", "c": "d"}
    assert [p.split(":")[1] for p in lexicon.problems] == ["2", "3"]
    with pytest.raises(LexiconError, match="lexicon:2"):
        lexicon.checked()
    assert Lexicon.parse("a = b\n").checked().entries == {"a": "b"}


def test_a_lexicon_entry_replaces_its_line_and_keeps_every_other() -> None:
    text = "# tên thôn\nNà Héo = Nà Hẻo\nbroken line\nHTX = hợp tác xã\n"
    changed = with_entry(text, "Nà Héo", "na heo")
    assert changed == "# tên thôn\nbroken line\nHTX = hợp tác xã\nNà Héo = na heo\n"
    assert with_entry("", "UBND", "ủy ban") == "UBND = ủy ban\n"
    assert Lexicon.parse(changed).entries == {"HTX": "hợp tác xã", "Nà Héo": "na heo"}


def test_normalized_sentences_split_the_same_whatever_surrounds_them() -> None:
    sentence = "Hạn chót là ngày 25/3/2024 tại TP. Bắc Kạn."
    alone = [s.text for s in split(normalize(sentence))]
    inside = [s.text for s in split(normalize(f"Thông báo khẩn! {sentence} Xin cảm ơn."))]
    assert len(alone) == 1 and alone[0] in inside


def test_cli_writes_one_line_per_input_line(data_dir: Path) -> None:
    lines = ["Có 5 thôn.", "", "   ", "UBND xã.", "\x00\x01", "🙂", "Ngày 12/7/2021."]
    result = radio("normalize", stdin="\n".join(lines) + "\n")
    out = result.stdout.split("\n")[:-1]
    assert result.returncode == 0 and len(out) == len(lines)
    assert out[0] == "Có năm thôn." and out[1] == "" and out[2] == ""
    assert out[3] == "ủy ban nhân dân xã."
    assert out[6] == "Ngày mười hai tháng bảy năm hai nghìn không trăm hai mươi mốt."


def test_cli_explain_and_lexicon_file(data_dir: Path, tmp_path: Path) -> None:
    lexicon = tmp_path / "lexicon.txt"
    lexicon.write_text("Nà Héo = Nà Hẻo\n", "utf-8")
    result = radio(
        "normalize",
        "--explain",
        "--lexicon",
        str(lexicon),
        stdin="Quyết định số 749/QĐ-TTg về thôn Nà Héo.\n",
    )
    assert (
        "'749/QĐ-TTg' → 'bảy trăm bốn mươi chín quyết định thủ tướng' (document)" in result.stdout
    )
    assert "'Nà Héo' → 'Nà Hẻo' (lexicon)" in result.stdout
    data_dir.mkdir(parents=True)
    (data_dir / "lexicon.txt").write_text("xã = xà\nbroken\n", "utf-8")
    broken = radio("normalize", stdin="xã\n")
    assert broken.returncode == 1 and "lexicon.txt:2" in broken.stderr


def test_invalid_utf8_on_stdin_keeps_the_line_count(data_dir: Path) -> None:
    import subprocess

    from tests.clirun import RADIO

    result = subprocess.run(
        [RADIO, "normalize"], input=b"a\xff\xfeb\nC\xc3\n3\n", capture_output=True, timeout=60
    )
    assert result.returncode == 0
    assert result.stdout.decode().split("\n")[:-1][2] == "ba"
    assert len(result.stdout.decode().split("\n")) == 4


def test_public_cases_all_pass_the_shared_scorer(data_dir: Path) -> None:
    import subprocess
    import sys

    from tests.clirun import RADIO
    from tests.conftest import shared_dir

    scorer = shared_dir() / "normalize" / "score.py"
    cases = shared_dir() / "normalize" / "cases.jsonl"
    result = subprocess.run(
        [sys.executable, str(scorer), str(cases), "--cmd", f"{RADIO} normalize", "--min", "1.0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(100%)" in result.stdout


def test_the_corpus_reads_without_a_digit_left() -> None:
    from tests.conftest import shared_dir

    for path in sorted((shared_dir() / "corpus").glob("*/*.txt")):
        spoken = normalize(path.read_text("utf-8"))
        assert not [w for w in spoken.split() if any(c.isdigit() for c in w)], path.name
