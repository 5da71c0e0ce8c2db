import Messaging
import Storage

/// Payments' tables, in its own database file, after the idempotency keys (the messaging tables come from the
/// wiring, on their own track).
///
/// Money is minor units with its currency. `payment_intent` holds the current figures with `CHECK`s that keep
/// them possible (captured and capturable within the amount, refunded within the capture); `ledger` is the
/// append-only list of every movement behind them, written in the same transaction, which `checkLedger`
/// recomputes. No table has a column for a card number or verification code: a card is its brand, last four
/// digits, expiry and fingerprint, and `card_vault` keeps what the simulated network decided about a fingerprint
/// (see ``CardBehaviour``).
enum PaymentsSchema {
    static var migrator: Migrator {
        var migrator = Migrator()
        IdempotencySchema.register(in: &migrator)
        migrator.add(
            "payments-1-intents-refunds-ledger-subscriptions",
            sql: """
                CREATE TABLE payment_intent (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    order_id TEXT,
                    subscription_id TEXT,
                    customer_id TEXT,
                    currency TEXT NOT NULL,
                    amount INTEGER NOT NULL CHECK (amount > 0),
                    amount_capturable INTEGER NOT NULL CHECK (amount_capturable >= 0),
                    amount_captured INTEGER NOT NULL CHECK (amount_captured >= 0),
                    amount_refunded INTEGER NOT NULL CHECK (amount_refunded >= 0 AND amount_refunded <= amount_captured),
                    status TEXT NOT NULL CHECK (status IN ('requires_payment_method', 'requires_capture', 'succeeded', 'canceled')),
                    card_brand TEXT,
                    card_last4 TEXT,
                    card_exp_month INTEGER,
                    card_exp_year INTEGER,
                    card_fingerprint TEXT,
                    decline_code TEXT,
                    cancellation_reason TEXT,
                    capture_before_us INTEGER,
                    created_us INTEGER NOT NULL,
                    updated_us INTEGER NOT NULL,
                    CHECK (amount_captured + amount_capturable <= amount)
                );
                -- One intent per order, however many cards are tried.
                CREATE UNIQUE INDEX payment_intent_order ON payment_intent (order_id) WHERE order_id IS NOT NULL;
                CREATE INDEX payment_intent_newest ON payment_intent (created_us, id);
                CREATE INDEX payment_intent_customer ON payment_intent (customer_id, created_us, id) WHERE customer_id IS NOT NULL;
                CREATE INDEX payment_intent_capture_due ON payment_intent (capture_before_us) WHERE status = 'requires_capture';
                CREATE TABLE refund (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    intent_id TEXT NOT NULL REFERENCES payment_intent(id),
                    amount INTEGER NOT NULL CHECK (amount > 0),
                    status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
                    failure_reason TEXT,
                    created_us INTEGER NOT NULL,
                    updated_us INTEGER NOT NULL
                );
                CREATE INDEX refund_intent ON refund (intent_id, seq);
                CREATE INDEX refund_pending ON refund (seq) WHERE status = 'pending';
                CREATE TABLE ledger (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    intent_id TEXT NOT NULL REFERENCES payment_intent(id),
                    kind TEXT NOT NULL CHECK (kind IN ('hold', 'capture', 'release', 'refund', 'refund_failed')),
                    amount INTEGER NOT NULL CHECK (amount > 0),
                    currency TEXT NOT NULL,
                    refund_id TEXT,
                    at_us INTEGER NOT NULL
                );
                CREATE INDEX ledger_intent ON ledger (intent_id);
                CREATE TABLE card_vault (
                    fingerprint TEXT PRIMARY KEY NOT NULL,
                    behaviour TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE subscription (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    customer_id TEXT NOT NULL,
                    plan TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('active', 'past_due', 'lapsed', 'canceled')),
                    card_brand TEXT NOT NULL,
                    card_last4 TEXT NOT NULL,
                    card_exp_month INTEGER NOT NULL,
                    card_exp_year INTEGER NOT NULL,
                    card_fingerprint TEXT NOT NULL,
                    anchor_us INTEGER NOT NULL,
                    periods INTEGER NOT NULL CHECK (periods >= 1),
                    current_period_start_us INTEGER NOT NULL,
                    current_period_end_us INTEGER NOT NULL,
                    failed_renewals INTEGER NOT NULL DEFAULT 0 CHECK (failed_renewals >= 0),
                    next_retry_us INTEGER,
                    decline_code TEXT,
                    created_us INTEGER NOT NULL,
                    ended_us INTEGER
                );
                -- At most one running subscription per customer.
                CREATE UNIQUE INDEX subscription_running ON subscription (customer_id) WHERE status IN ('active', 'past_due');
                CREATE INDEX subscription_customer ON subscription (customer_id, seq);
                CREATE INDEX subscription_renewal_due ON subscription (current_period_end_us) WHERE status = 'active';
                CREATE INDEX subscription_retry_due ON subscription (next_retry_us) WHERE status = 'past_due';
                """
        )
        return migrator
    }
}
