"""The hash chain of the points ledger, without the ORM: the canonical text of an entry and the chained hash.

Version 1 hashes the fields in ``HASHED_FIELDS``: the columns of an entry that never change once written (ids,
dates, types, points, amounts), never stored state that changes (``remaining``, ``unmatched``), never a name or
a typed note (personal data that an erasure pseudonymises), never ``partner_id`` (a contact merge rewrites it;
the member is identified by ``membership_id``).
"""

import datetime
from hashlib import sha256
from json import dumps

HASH_VERSION = 1
HASHED_FIELDS = (
    "id",
    "company_id",
    "membership_id",
    "program_id",
    "date",
    "entry_type",
    "bonus_kind",
    "points",
    "amount_base",
    "counts_lifetime",
    "expiry_date",
    "move_id",
    "sale_order_id",
    "approved_by_id",
    "reversed_entry_id",
    "expired_lot_id",
)


def _canonical(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        # the exact stored double, written the same way on every machine (shortest repr that round-trips)
        return repr(value + 0.0)  # -0.0 and 0.0 are the same amount
    return value


def entry_record(values):
    """The canonical text of one entry: ``values`` maps every name of ``HASHED_FIELDS`` to its stored value
    (ints, None, floats, dates, strings, booleans as the database returns them)."""
    record = {name: _canonical(values[name]) for name in HASHED_FIELDS}
    return dumps(record, sort_keys=True, ensure_ascii=True, indent=None, separators=(",", ":"))


def chain_hash(previous_hash, values):
    """The hash of an entry chained to ``previous_hash`` (the stored hash of the previous entry of its
    company, '' for the first): ``$<version>$<sha256 hex>``."""
    digest = sha256(((previous_hash or "") + entry_record(values)).encode("utf-8")).hexdigest()
    return f"${HASH_VERSION}${digest}"


def chain_hashes(previous_hash, rows):
    """Hash ``rows`` (dicts as for ``entry_record``) one after the other from ``previous_hash``:
    returns the list of hashes, in the order of ``rows``."""
    hashes = []
    for values in rows:
        previous_hash = chain_hash(previous_hash, values)
        hashes.append(previous_hash)
    return hashes
