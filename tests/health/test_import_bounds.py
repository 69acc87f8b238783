"""`fangkong import checkins`: a row naming a person id past the database's integers is a
refused row, not a crash of the whole file (SQLite: OverflowError; PostgreSQL: DataError)."""

from fangkong.health.imports import import_check_ins


def test_a_check_in_file_with_a_person_id_past_the_databases_integers_is_a_refused_row(tree):
    data = f"person_id,体温\n{2**63},36.5\n{'9' * 30},36.5\n{tree.person_a.pk},36.5\n"
    result = import_check_ins(data=data.encode(), filename="c.csv")
    assert result.created == 1 and [n for n, _r in result.rejected] == [2, 3]
