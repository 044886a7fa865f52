"""The demo generator: deterministic returns labelled 示例数据 / demo data, a fixture of the
product loaded through the real ingest path, never part of its core."""
