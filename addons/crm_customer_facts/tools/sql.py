def pg_array(values):
    """The text of a PostgreSQL array of ``values`` (numbers or booleans, None for NULL), to pass as ONE
    string parameter cast in the statement (``%s::float8[]``).

    psycopg2 adapts a Python list element by element into an ``ARRAY[...]`` of literals that the server
    then parses and plans as as many constants: measured at full scale (bench/RESULTS.md), the predictions'
    four arrays of 91,600 values took 1.9 s to send and update as lists, 0.9 s as strings."""
    values = list(values)
    if values and isinstance(values[0], bool):
        text = ("NULL" if value is None else "t" if value else "f" for value in values)
    elif None in values:
        text = ("NULL" if value is None else str(value) for value in values)
    else:
        text = map(str, values)
    return "{" + ",".join(text) + "}"
