"""Bulk parameters for the few raw SQL writes of the ledger."""


def pg_array(values):
    """A PostgreSQL array literal (``'{1,2,NULL}'``) of numbers, for ``%s::int[]`` / ``%s::float8[]``.

    A Python list is sent by psycopg2 as ``ARRAY[1, 2, ...]``, an expression of one constant per element that
    the client formats and the server parses one by one: measured 80 ms for seven arrays of 5,000 numbers
    against 13 ms for the same arrays as literals, per statement of the nightly expiry.
    """
    elements = ",".join("NULL" if value is None or value is False else repr(value) for value in values)
    return "{" + elements + "}"
