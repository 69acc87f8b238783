"""The scope matrix's rows, by app; tests/test_scope_matrix.py runs them."""
