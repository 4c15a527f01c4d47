"""Bulk parameters for the raw SQL writes of our addons' derived tables."""


def pg_array(values):
    """A PostgreSQL array literal (``'{1,2,NULL}'``) of numbers (None or False: NULL), passed as ONE string
    parameter and cast in the statement (``%s::int[]``, ``%s::float8[]``).

    A Python list is sent by psycopg2 as ``ARRAY[1, 2, ...]``, an expression of one constant per element that
    the client formats and the server parses and plans one by one: measured 80 ms for seven arrays of 5,000
    numbers against 13 ms for the same arrays as literals (the nightly expiry), and at full scale 1.9 s
    against 0.9 s for the churn predictions' four arrays of 91,600 values (bench/RESULTS.md).
    """
    elements = ",".join("NULL" if value is None or value is False else repr(value) for value in values)
    return "{" + elements + "}"


def pg_bool_array(values):
    """A PostgreSQL array literal of booleans (None: NULL), for ``%s::bool[]``."""
    return "{" + ",".join("NULL" if value is None else "t" if value else "f" for value in values) + "}"
