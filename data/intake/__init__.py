"""One Excel return's way in: safe opening (``workbook``), reading (``read``), the rules
(``rules``), the ``Problem`` type, ``ingest`` (check, commit, revert), the ``template`` and the
``annotate``d copy."""
