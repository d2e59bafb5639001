from __future__ import annotations

from voices.split import MAX_SEGMENT_CHARS, Segment, split


def texts(text: str) -> list[str]:
    return [s.text for s in split(text)]


def test_sentences_and_paragraphs() -> None:
    assert split("Câu một. Câu hai!\nĐoạn mới? Hết.") == [
        Segment("Câu một.", False),
        Segment("Câu hai!", True),
        Segment("Đoạn mới?", False),
        Segment("Hết.", True),
    ]


def test_no_split_inside_decimals_urls_abbreviations_or_initials() -> None:
    assert texts(
        "Tăng 2.5 lần tại TP. Bắc Kạn, xem dichvucong.gov.vn để biết. Ông Nguyễn V. An đến."
    ) == [
        "Tăng 2.5 lần tại TP. Bắc Kạn, xem dichvucong.gov.vn để biết.",
        "Ông Nguyễn V. An đến.",
    ]


def test_lower_case_after_a_period_continues_the_sentence() -> None:
    assert texts("các loại... và nhiều thứ khác. Xong.") == [
        "các loại... và nhiều thứ khác.",
        "Xong.",
    ]


def test_long_sentences_split_at_clause_boundaries_within_the_limit() -> None:
    clause = "bà con thôn Nà Héo chuẩn bị lương thực, nước uống và đèn pin"
    sentence = ", ".join([clause] * 8) + "."
    pieces = texts(sentence)
    assert len(pieces) > 1
    assert all(len(p) <= MAX_SEGMENT_CHARS for p in pieces)
    assert all(p.endswith((",", ".")) for p in pieces)
    assert " ".join(pieces) == sentence


def test_a_sentence_splits_the_same_whatever_surrounds_it() -> None:
    sentence = "Xin cảm ơn bà con đã chú ý lắng nghe."
    assert sentence in texts(f"Thông báo khẩn! {sentence} Hết.")
    assert sentence in texts(f"{sentence}\nMột đoạn khác.")


def test_whitespace_and_blank_lines_do_not_make_segments() -> None:
    assert texts("  \n\n Một   câu\tcó  khoảng trắng.  \n \n") == ["Một câu có khoảng trắng."]
    assert split("") == []


def test_the_items_of_a_list_are_each_followed_by_a_sentences_pause() -> None:
    """Loudspeakers: a list read in one breath runs together in the echo."""
    from voices.assembly import Assembly

    found = split("Thành phần gồm: trưởng thôn; bí thư chi bộ; công an viên. Hết.")
    assert [s.text for s in found] == [
        "Thành phần gồm: trưởng thôn;",
        "bí thư chi bộ;",
        "công an viên.",
        "Hết.",
    ]
    assembly = Assembly(sentence_pause_s=0.7)
    assert [assembly.pause_after(s) for s in found[:3]] == [0.7, 0.7, 0.7]
