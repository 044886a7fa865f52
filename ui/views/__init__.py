"""Page helpers: each page's tables and charts, one module per page, built from what
``ui.cached`` returns. A page script places them and holds the widgets; these build what is
placed. They read nothing from the store and fit nothing (what is heavy is computed by the
results worker or behind ``ui.cached``), and from the rest of ``analytics`` they take only
constants and classes (the rule is tested in tests/unit/test_architecture.py)."""
