"""18.0.1.1.0: the reason of a ledger entry posted by the system is rendered in the reader's language from its
type, bonus kind and documents (``reason_display``); the stored ``reason`` keeps only text typed by a user.
The sentences already stored in the language of whoever posted them are cleared."""


def migrate(cr, version):
    cr.execute(
        """
        UPDATE crm_loyalty_entry
           SET reason = NULL
         WHERE reason IS NOT NULL
           AND (
                (entry_type = 'earn' AND move_id IS NOT NULL)
             OR (entry_type = 'bonus' AND bonus_kind IN ('first_purchase', 'birthday'))
             OR (entry_type = 'bonus' AND bonus_kind = 'referral' AND move_id IS NOT NULL)
             OR (entry_type = 'expire' AND expired_lot_id IS NOT NULL)
             OR (entry_type = 'redeem' AND sale_order_id IS NOT NULL)
             OR (entry_type = 'reverse' AND (move_id IS NOT NULL OR sale_order_id IS NOT NULL))
           )
        """
    )
