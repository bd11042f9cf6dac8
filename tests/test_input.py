"""Bad input: clear AssistantError subclasses with Japanese messages; CLI exits 2 without a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from assistant.config import PROJECT_ROOT
from assistant.errors import (
    ControlCharacterError,
    EmptyQuestionError,
    InputError,
    MarkupError,
    QuestionTooLongError,
)


@pytest.mark.parametrize(
    ("question", "error"),
    [
        ("", EmptyQuestionError),
        ("   \n\t ", EmptyQuestionError),
        (None, EmptyQuestionError),
        ("あ" * 1001, QuestionTooLongError),
        ("かなパス\x00の担当", ControlCharacterError),
        ("担当は\x1b[31m?", ControlCharacterError),
        ("<script>alert(1)</script>かなパス", MarkupError),
        ("<img src=x onerror=alert(1)>", MarkupError),
    ],
)
def test_bad_input_raises_a_clear_error(bot, question, error) -> None:  # noqa: ANN001
    with pytest.raises(error) as info:
        bot.ask(question)
    assert isinstance(info.value, InputError)
    assert any("\u3040" <= ch <= "\u30ff" for ch in str(info.value))  # a Japanese message
    assert info.value.message_en


def test_limit_is_exactly_the_setting(bot) -> None:  # noqa: ANN001
    ans = bot.ask("かなパスの担当は？" + " " * 900)
    assert ans.grounded  # 909 characters: accepted
    with pytest.raises(QuestionTooLongError, match="1000文字以内"):
        bot.ask("か" * 1001)


def test_newlines_and_tabs_are_fine(bot) -> None:  # noqa: ANN001
    assert "デジタル政策課" in bot.ask("かなパスの\n担当課は？\t").text


def test_odd_but_harmless_input_never_crashes(bot) -> None:  # noqa: ANN001
    for q in ["？？？", "😀😀", "a", "1234567890", "SELECT * FROM users;", "'; DROP TABLE x; --", "ｶﾅﾊﾟｽ"]:
        ans = bot.ask(q)
        assert isinstance(ans.text, str) and ans.text


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """Run `python -m assistant` in the project with the test's environment."""
    return subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, timeout=300)


def test_cli_bad_input_exit_code_2_without_traceback(bot) -> None:  # noqa: ANN001
    res = run_cli("ask", "   ")
    assert res.returncode == 2
    assert "質問が空です" in res.stderr and "Traceback" not in res.stderr


def test_cli_ask_json_is_the_answer_model(bot) -> None:  # noqa: ANN001
    from assistant.models import Answer

    res = run_cli("ask", "のりまっし金沢の担当は？", "--json")
    assert res.returncode == 0, res.stderr
    ans = Answer.model_validate_json(res.stdout)
    assert "交通政策課" in ans.text and ans.citations[0].departments == ["交通政策課"]


def test_cli_ask_prints_text_and_citations(bot) -> None:  # noqa: ANN001
    res = run_cli("ask", "にげまっしの担当は？")
    assert res.returncode == 0 and "河川水防課" in res.stdout and "[I94]" in res.stdout
