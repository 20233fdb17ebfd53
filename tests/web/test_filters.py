"""Template filters: how keys and statuses read on the page."""

from jarvis.web.filters import humanize


def test_keys_read_as_words_and_acronyms() -> None:
    assert humanize("churned_mrr") == "Churned MRR"
    assert humanize("mrr") == "MRR"
    assert humanize("sales_marketing_spend") == "Sales marketing spend"
    assert humanize(None) == ""
