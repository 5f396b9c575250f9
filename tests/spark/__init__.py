"""Spark parity tests (`make test-spark`). A package, so that its conftest module never
shadows the one of tests/python when both folders are collected together."""
