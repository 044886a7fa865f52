"""The product's refusal: something it will not do, said in both languages. Every layer raises
it (or a kind of it); the CLI prints it as one line, the app in the page's language."""

from __future__ import annotations


class Refusal(ValueError):
    """Something the product refuses to do, said in both languages (``message(lang)``): the
    CLI prints it as one line, the app in the page's language."""

    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh, self.en = zh, en

    def message(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en
