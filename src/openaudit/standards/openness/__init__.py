"""The readers behind the openness facts (:func:`openaudit.standards.facts.gather` composes them), by job:
the data model (``model``), the card's lines (``lines``), links (``links``), statements (``statements``), the
training-data description and evaluations (``data``), access gating (``gating``)."""
