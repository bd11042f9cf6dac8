"""Every error the assistant raises, with a message fit to show a user (Japanese first)."""

from __future__ import annotations


class AssistantError(Exception):
    """Base of all assistant errors; str() is a user-facing message."""

    message_ja: str = "エラーが発生しました。"
    message_en: str = "An error occurred."

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail or self.message_ja)
        self.detail = detail or self.message_ja


class InputError(AssistantError):
    """The question itself cannot be accepted."""


class EmptyQuestionError(InputError):
    """Nothing but white space was asked."""

    message_ja = "質問が空です。知りたいことを入力してください。"
    message_en = "The question is empty. Please type what you would like to know."


class QuestionTooLongError(InputError):
    """The question is over the length limit."""

    message_ja = "質問が長すぎます。{limit}文字以内で入力してください。"
    message_en = "The question is too long. Please keep it within {limit} characters."

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.message_ja = self.message_ja.format(limit=limit)
        self.message_en = self.message_en.format(limit=limit)
        super().__init__(self.message_ja)


class ControlCharacterError(InputError):
    """The question contains control characters."""

    message_ja = "質問に使用できない制御文字が含まれています。文字だけで入力してください。"
    message_en = "The question contains control characters. Please use plain text only."


class MarkupError(InputError):
    """The question contains HTML or script markup."""

    message_ja = "HTMLやスクリプトのタグは受け付けていません。文章だけで質問してください。"
    message_en = "HTML or script tags are not accepted. Please ask in plain text."


class ConfigError(AssistantError):
    """A setting is wrong (unknown model, missing extra, bad path)."""

    message_ja = "設定に誤りがあります。"
    message_en = "A setting is wrong."


class UnknownModelError(ConfigError):
    """No embedding backend of that name."""


class MissingExtraError(ConfigError):
    """A backend needs an optional extra that is not installed."""


class CorpusError(AssistantError):
    """The plan text is missing or cannot be parsed."""

    message_ja = "プラン本文を読み込めませんでした。"
    message_en = "The plan text could not be read."


class IndexError_(AssistantError):
    """The search index cannot be built or opened."""

    message_ja = "検索インデックスを開けませんでした。"
    message_en = "The search index could not be opened."


class FeedbackUnavailableError(AssistantError):
    """A rating could not be stored: the feedback database is locked or cannot be written."""

    message_ja = "評価を保存できませんでした。時間をおいて再度お試しください。"
    message_en = "The rating could not be stored. Please try again later."


class FeedbackFullError(FeedbackUnavailableError):
    """The feedback database holds ASSISTANT_FEEDBACK_MAX_MB: no rating is stored until old ones are deleted."""

    message_ja = "評価の保存領域が上限に達したため、現在は評価を受け付けていません。"
    message_en = "The feedback store is full, so ratings are not being accepted at the moment."


class UnknownFilterError(InputError):
    """A list filter names a value the plan does not have; the message lists the ones it has."""

    def __init__(self, name: str, value: object, allowed: list[str]) -> None:
        self.name, self.allowed = name, allowed
        self.message_ja = f"{name} に「{value}」という値はありません。使える値: {'、'.join(allowed)}"
        self.message_en = f"{name} has no value {value!r}. Allowed: {', '.join(allowed)}"
        super().__init__(self.message_ja)
