"""Tests of the contract test kit itself (tidbok_contract)."""
