from __future__ import annotations

import json
import wave
from pathlib import Path

import pytest

from tests.audio_checks import decode_mp3, rms
from tests.clirun import radio

ANNOUNCEMENT = (
    "Đây là Đài truyền thanh xã Vi Hương. Kính thưa bà con nhân dân trong toàn xã.\n"
    "Chiều nay, thôn Nà Héo tổ chức họp thôn tại nhà văn hóa. Đề nghị bà con đến đúng giờ.\n"
)


def wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def test_say_writes_an_mp3_of_the_spoken_length(data_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "thong-bao.txt"
    source.write_text(ANNOUNCEMENT, "utf-8")
    wav, mp3 = tmp_path / "out.wav", tmp_path / "out.mp3"
    assert radio("say", "-f", str(source), "-o", str(wav)).returncode == 0
    result = radio("say", "-f", str(source), "-o", str(mp3))
    assert result.returncode == 0, result.stderr
    decoded = decode_mp3(mp3.read_bytes())
    assert decoded.duration == pytest.approx(wav_seconds(wav), abs=0.05)
    assert decoded.duration > 6 and rms(decoded) > 300


def test_say_reads_standard_input_and_utf16_files(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.wav"
    assert radio("say", "-f", "-", "-o", str(out), stdin="Xin chào bà con.").returncode == 0
    short = wav_seconds(out)
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes("Xin chào bà con. Xin chào bà con lần nữa.".encode("utf-16"))
    assert radio("say", "-f", str(utf16), "-o", str(out)).returncode == 0
    assert wav_seconds(out) > 1.5 * short


def test_say_with_a_chosen_voice_and_rate(data_dir: Path, tmp_path: Path) -> None:
    normal, fast = tmp_path / "normal.wav", tmp_path / "fast.wav"
    text = "Kính thưa bà con nhân dân trong toàn xã."
    assert radio("say", text, "--voice", "espeak-south-male", "-o", str(normal)).returncode == 0
    result = radio("say", text, "--voice", "espeak-south-male", "--rate", "1.5", "-o", str(fast))
    assert result.returncode == 0
    assert wav_seconds(fast) < 0.8 * wav_seconds(normal)


def test_default_voice_comes_from_settings(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RADIO_DEFAULT_VOICE", "no-such-voice")
    result = radio("say", "Xin chào.", "-o", str(tmp_path / "x.mp3"))
    assert result.returncode == 1 and "no-such-voice" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["say", "Xin chào.", "--voice", "nope"], "unknown voice 'nope'"),
        (["say", "   \n  "], "the text is empty"),
        (["say", "-f", "/no/such/file.txt"], "No such file or directory"),
        (["say", "-f", "/"], "Is a directory"),
        (["say", "Xin chào.", "--rate", "9"], "rate must be between"),
        (["say", "Xin chào.", "--voice", "vi_VN-vais1000-medium"], "radio voices pull"),
    ],
)
def test_bad_input_is_one_clear_line(
    data_dir: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "out.mp3"
    result = radio(*args, "-o", str(out))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("radio: error:") and message in lines[0]
    assert not out.exists()


def test_non_utf8_file_and_wrong_output_type(data_dir: Path, tmp_path: Path) -> None:
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Thông báo".encode("cp1258", errors="replace") + b"\xff\xfe\xfa")
    result = radio("say", "-f", str(latin), "-o", str(tmp_path / "x.mp3"))
    assert result.returncode == 1 and "not UTF-8 text" in result.stderr
    result = radio("say", "Xin chào.", "-o", str(tmp_path / "x.ogg"))
    assert result.returncode == 1 and "must end in .mp3 or .wav" in result.stderr


def test_a_failed_run_keeps_the_previous_output(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.mp3"
    out.write_bytes(b"previous")
    assert radio("say", "Xin chào.", "--voice", "nope", "-o", str(out)).returncode == 1
    assert out.read_bytes() == b"previous"


def test_voices_list_json_and_table(data_dir: Path) -> None:
    listed = json.loads(radio("voices", "list", "--json").stdout)
    ids = {v["id"] for v in listed}
    assert "espeak-north-female" in ids and "vi_VN-vivos-x_low" in ids
    table = radio("voices", "list").stdout
    assert "Giọng nữ miền Bắc (eSpeak)" in table and "27.8 MB" in table


def test_voices_add_and_remove_via_cli(data_dir: Path, standin_files: tuple[Path, Path]) -> None:
    model, config = standin_files
    added = radio("voices", "add", str(model), "--config", str(config), "--id", "thu")
    assert added.returncode == 0, added.stderr
    out = data_dir / "x.wav"
    assert radio("say", "Xin chào.", "--voice", "thu", "-o", str(out)).returncode == 0
    assert (
        radio("voices", "add", str(model), "--config", str(config), "--id", "thu").returncode == 1
    )
    assert radio("voices", "remove", "thu").returncode == 0
    removed_again = radio("voices", "remove", "thu")
    assert removed_again.returncode == 1 and "not installed" in removed_again.stderr
    builtin = radio("voices", "remove", "espeak-north-male")
    assert builtin.returncode == 1 and "built in" in builtin.stderr


def test_say_speaks_the_normalized_text(data_dir: Path, tmp_path: Path) -> None:
    """Digits and abbreviations are read as words: the written and the spelled-out forms
    take the same time to say (eSpeak adds small random variation)."""
    written, spelled = tmp_path / "written.wav", tmp_path / "spelled.wav"
    assert radio("say", "UBND xã có 1.250 hộ, họp lúc 7h30.", "-o", str(written)).returncode == 0
    spelled_text = (
        "ủy ban nhân dân xã có một nghìn hai trăm năm mươi hộ, họp lúc bảy giờ ba mươi phút."
    )
    assert radio("say", spelled_text, "-o", str(spelled)).returncode == 0
    assert wav_seconds(written) == pytest.approx(wav_seconds(spelled), rel=0.02)


def test_say_uses_the_installation_lexicon(data_dir: Path, tmp_path: Path) -> None:
    plain, custom = tmp_path / "plain.wav", tmp_path / "custom.wav"
    assert radio("say", "Thôn Nà Héo.", "-o", str(plain)).returncode == 0
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "lexicon.txt").write_text(
        "Nà Héo = thôn có tên rất dài là Nà Héo ở xã Vi Hương\n", "utf-8"
    )
    assert radio("say", "Thôn Nà Héo.", "-o", str(custom)).returncode == 0
    assert wav_seconds(custom) > 2 * wav_seconds(plain)
