"""Superset tests (`make test-superset`). A package, so that its modules never shadow those of
tests/python when both folders are collected together."""
