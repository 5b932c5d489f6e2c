"""Deterministic generator of a realistic raw-data folder for the project.

The same seed and size always give the same files. The shape is that of a small web
shop: a heavy tail of customer value (a few customers worth far more than the rest),
several product categories, about 5% refunds, 2% cancellations, 3% guest checkouts,
three currencies with daily exchange rates (weekends missing), and, unless
``--no-bad-rows``, a handful of deliberately bad rows of every kind staging quarantines.

Everything is vectorised with numpy so that tens of millions of orders take minutes:

    customer-segments generate-sample --orders 20000 --out data/sample
    customer-segments generate-sample --orders 10000000 --format parquet \
        --out bench/data/10m

CSV is the shop-export look (text, prefixed ids, timestamps with offsets, bad rows);
Parquet is typed (integer ids, UTC timestamps, floats), written in chunks, for scale.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

SECONDS_PER_DAY = 86_400
CATEGORIES = np.array(
    ["music", "books", "electronics", "home", "outdoor", "fashion"], dtype=object
)
COUNTRIES = np.array(["US", "DE", "FR", "GB"], dtype=object)
COUNTRY_WEIGHTS = np.array([0.60, 0.15, 0.10, 0.15])
CURRENCY_OF_COUNTRY = {"US": "USD", "DE": "EUR", "FR": "EUR", "GB": "GBP"}
# Offset written into EUR timestamps (hours): the shop's EU storefront logs local time.
EUR_OFFSET_HOURS = 1
STARTING_RATES = {"EUR": 1.08, "GBP": 1.27}


@dataclass(frozen=True)
class SampleSpec:
    """What to generate. Defaults give the bundled sample."""

    orders: int = 20_000
    customers: int | None = None  # default: one customer per ten orders
    start: str = "2023-01-01"
    end: str = "2025-12-31"
    seed: int = 42
    bad_rows: bool = True
    order_items: bool = True

    @property
    def customer_count(self) -> int:
        return self.customers if self.customers is not None else max(self.orders // 10, 1)


def _timestamps_utc(seconds: np.ndarray) -> np.ndarray:
    return np.datetime64("1970-01-01T00:00:00", "s") + seconds.astype("timedelta64[s]")


def _iso(seconds: np.ndarray, style: np.ndarray) -> np.ndarray:
    """ISO-8601 strings: style 0 naive UTC, 1 with 'Z', 2 local time with the EUR offset."""
    out = np.empty(len(seconds), dtype=object)
    shifted = seconds + np.where(style == 2, EUR_OFFSET_HOURS * 3600, 0)
    text = np.datetime_as_string(_timestamps_utc(shifted), unit="s").astype(str)
    if len(text) == 0:
        return out
    out[:] = text
    out[style == 0] = (
        np.char.replace(text[style == 0], "T", " ") if (style == 0).any() else out[style == 0]
    )
    out[style == 1] = np.char.add(text[style == 1], "Z") if (style == 1).any() else out[style == 1]
    out[style == 2] = (
        np.char.add(text[style == 2], f"+{EUR_OFFSET_HOURS:02d}:00")
        if (style == 2).any() else out[style == 2]
    )
    return out


def _money(values: np.ndarray) -> np.ndarray:
    return np.char.mod("%.2f", np.round(values, 2)).astype(object)


class _TextColumns:
    """Columns as the text a shop's CSV export holds (ids with prefixes, ISO timestamps
    with and without offsets, amounts with two decimals)."""

    @staticmethod
    def ids(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
        return np.char.mod(f"{prefix}%0{width}d", numbers).astype(object)

    @staticmethod
    def missing_ids(count: int) -> np.ndarray:
        return np.full(count, "", dtype=object)

    timestamps = staticmethod(_iso)
    money = staticmethod(_money)

    @staticmethod
    def integers(values: np.ndarray) -> np.ndarray:
        return np.char.mod("%d", values).astype(object)

    @staticmethod
    def prices(values: np.ndarray) -> np.ndarray:
        return np.char.mod("%.2f", values).astype(object)


class _TypedColumns:
    """Columns as typed Parquet holds them (integer ids, UTC timestamps, floats): no string
    formatting, so tens of millions of rows take seconds. `offset` keeps ids unique
    across the chunks of one data set."""

    def __init__(self, offset: int):
        self.offset = offset

    def ids(self, prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
        return self.offset + numbers.astype(np.int64)

    @staticmethod
    def missing_ids(count: int) -> np.ndarray:
        return np.full(count, -1, dtype=np.int64)

    @staticmethod
    def timestamps(seconds: np.ndarray, style: np.ndarray) -> np.ndarray:
        return _timestamps_utc(seconds)

    @staticmethod
    def money(values: np.ndarray) -> np.ndarray:
        return np.round(values, 2)

    @staticmethod
    def integers(values: np.ndarray) -> np.ndarray:
        return values.astype(np.int64)

    @staticmethod
    def prices(values: np.ndarray) -> np.ndarray:
        return np.round(values, 2)


_Columns = _TextColumns | _TypedColumns


@dataclass(frozen=True)
class _Period:
    """The generated period in seconds since the epoch: its first and its last second."""

    start_s: int
    end_s: int

    @classmethod
    def of(cls, spec: SampleSpec) -> _Period:
        start_s = int(np.datetime64(spec.start, "s").astype(np.int64))
        end_s = int(np.datetime64(spec.end, "s").astype(np.int64)) + SECONDS_PER_DAY - 1
        return cls(start_s, end_s)

    @property
    def span_s(self) -> int:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class _Customers:
    """Who the customers are, how often they buy and how much they spend per order."""

    ids: np.ndarray
    country: np.ndarray
    currency: np.ndarray
    propensity: np.ndarray
    spend_scale: np.ndarray
    first_seen_s: np.ndarray
    active_end_s: np.ndarray
    favourite_category: np.ndarray
    never_orders: np.ndarray


@dataclass(frozen=True)
class _Orders:
    """Every order (customers' and guests'), in time order: who, when, in which currency,
    for how much, and the category its lines mostly come from."""

    ids: np.ndarray
    customer: np.ndarray
    ordered_s: np.ndarray
    currency: np.ndarray
    amount: np.ndarray
    category_pref: np.ndarray


def generate(spec: SampleSpec, typed_offset: int | None = None) -> dict[str, pd.DataFrame]:
    """All raw tables of the contract, keyed by table name: text columns, or, with
    `typed_offset`, typed columns whose ids start after that offset."""
    columns: _Columns = _TextColumns() if typed_offset is None else _TypedColumns(typed_offset)
    # One generator for everything, drawn from in this order: the same seed, the same data.
    rng = np.random.default_rng(spec.seed)
    period = _Period.of(spec)
    customers = _draw_customers(spec.customer_count, period, columns, rng)
    orders = _draw_orders(spec.orders, customers, period, columns, rng)
    orders_table, refunds = _orders_and_refunds(orders, period, columns, rng)
    tables = {"orders": orders_table, "refunds": refunds, "products": _products()}
    if spec.order_items:
        tables["order_items"] = _order_items(orders, tables["products"], columns, rng)
    tables["customers"] = _customers_table(customers, period, columns, rng)
    tables["exchange_rates"] = _exchange_rates(spec, rng)
    if spec.bad_rows:
        _add_bad_rows(tables, rng)
    return tables


def _draw_customers(n_customers: int, period: _Period, columns: _Columns,
                    rng: np.random.Generator) -> _Customers:
    ids = columns.ids("C", np.arange(1, n_customers + 1), 7)
    country = rng.choice(COUNTRIES, size=n_customers, p=COUNTRY_WEIGHTS)
    currency = pd.Series(country).map(CURRENCY_OF_COUNTRY).to_numpy(dtype=object)
    propensity = rng.gamma(shape=0.7, scale=1.0, size=n_customers)
    spend_scale = rng.lognormal(mean=np.log(55.0), sigma=0.55, size=n_customers)
    whales = rng.random(n_customers) < 0.02
    spend_scale[whales] *= rng.uniform(4.0, 9.0, size=whales.sum())
    propensity[whales] *= 3.0
    # Customers arrive over the whole period; earlier ones have had longer to buy.
    first_seen_s = period.start_s + (
        rng.random(n_customers) ** 1.3 * period.span_s * 0.95).astype(np.int64)
    # Customers drop out silently: each stays active for an exponential lifetime (mean
    # about 18 months; whales stay longer), then never buys again.
    lifetime_s = rng.exponential(540 * SECONDS_PER_DAY, size=n_customers)
    lifetime_s[whales] *= 3
    active_end_s = np.minimum(first_seen_s + lifetime_s.astype(np.int64), period.end_s)
    favourite_category = rng.integers(0, len(CATEGORIES), size=n_customers)
    # About 5% of customer records never order; everyone else orders at least once.
    never_orders = rng.random(n_customers) < 0.05
    return _Customers(ids, country, currency, propensity, spend_scale, first_seen_s,
                      active_end_s, favourite_category, never_orders)


def _draw_orders(n_orders_wanted: int, customers: _Customers, period: _Period,
                 columns: _Columns, rng: np.random.Generator) -> _Orders:
    """3% guest checkouts; every buyer orders once on their first-seen day and the rest
    of the orders are spread over buyers by propensity and active time."""
    n_guest = round(n_orders_wanted * 0.03)
    n_customer_orders = n_orders_wanted - n_guest
    buyers = np.flatnonzero(~customers.never_orders)
    active_s = customers.active_end_s[buyers] - customers.first_seen_s[buyers]
    weights = customers.propensity[buyers] * (active_s + SECONDS_PER_DAY) / period.span_s
    extra = rng.multinomial(n_customer_orders - len(buyers), weights / weights.sum())
    orders_per_buyer = 1 + extra
    order_customer = np.repeat(buyers, orders_per_buyer)
    # The first order of each buyer is on their first-seen day; the rest fall after it.
    is_first = np.zeros(len(order_customer), dtype=bool)
    is_first[np.concatenate(([0], np.cumsum(orders_per_buyer)[:-1]))] = True
    first_seen_s = customers.first_seen_s[order_customer]
    remaining = customers.active_end_s[order_customer] - first_seen_s
    ordered_s = first_seen_s + np.where(
        is_first, 0, (rng.random(len(order_customer)) * remaining).astype(np.int64)
    )
    guest_ordered_s = period.start_s + (rng.random(n_guest) * period.span_s).astype(np.int64)
    guest_currency = rng.choice(np.array(["USD", "EUR", "GBP"], dtype=object), size=n_guest)

    all_ordered_s = np.concatenate((ordered_s, guest_ordered_s))
    all_customer = np.concatenate((customers.ids[order_customer], columns.missing_ids(n_guest)))
    all_currency = np.concatenate((customers.currency[order_customer], guest_currency))
    scale = np.concatenate((customers.spend_scale[order_customer], np.full(n_guest, 45.0)))
    category_pref = np.concatenate((customers.favourite_category[order_customer],
                                    rng.integers(0, len(CATEGORIES), size=n_guest)))
    # Shuffle so that order ids are not grouped by customer, then number by time.
    order_sequence = np.argsort(all_ordered_s, kind="stable")
    n_orders = len(all_ordered_s)
    amount = np.round(scale[order_sequence] * rng.lognormal(0.0, 0.45, size=n_orders), 2)
    return _Orders(
        ids=columns.ids("O", np.arange(1, n_orders + 1), 9),
        customer=all_customer[order_sequence],
        ordered_s=all_ordered_s[order_sequence],
        currency=all_currency[order_sequence],
        amount=np.maximum(amount, 1.0),
        category_pref=category_pref[order_sequence],
    )


def _orders_and_refunds(orders: _Orders, period: _Period, columns: _Columns,
                        rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The orders table (statuses, tax, shipping, timestamps in the currency's style) and
    the refunds of 5% of the completed orders (40% of them in full)."""
    n_orders = len(orders.ids)
    amount = orders.amount
    tax = np.round(amount * 0.08, 2)
    shipping = np.where(amount >= 50, 0.0, 4.99)

    # Status: 2% cancelled, orders in the last week partly pending, 5% refunded.
    status = np.full(n_orders, "completed", dtype=object)
    roll = rng.random(n_orders)
    status[roll < 0.02] = "cancelled"
    recent = orders.ordered_s > period.end_s - 7 * SECONDS_PER_DAY
    status[recent & (rng.random(n_orders) < 0.3)] = "pending"
    refund_roll = rng.random(n_orders)
    refunded = (status == "completed") & (refund_roll < 0.05)
    full_refund = refunded & (rng.random(n_orders) < 0.4)
    status[full_refund] = "refunded"
    # Statuses arrive in mixed case with stray spaces from one of the shop's exports.
    messy = rng.random(n_orders) < 0.03
    status_text = status.copy()
    status_text[messy] = np.char.add(np.char.upper(status[messy].astype(str)), " ").astype(object)

    refund_delay_s = (rng.uniform(1, 30, size=n_orders) * SECONDS_PER_DAY).astype(np.int64)
    refunded_s = np.minimum(orders.ordered_s + refund_delay_s, period.end_s)
    updated_s = np.where(refunded, refunded_s, orders.ordered_s)
    style = np.where(orders.currency == "EUR", 2, np.where(orders.currency == "GBP", 1, 0))

    orders_table = pd.DataFrame(
        {
            "order_id": orders.ids,
            "customer_id": orders.customer,
            "ordered_at": columns.timestamps(orders.ordered_s, style),
            "status": status_text,
            "currency": orders.currency,
            "amount": columns.money(amount),
            "tax": columns.money(tax),
            "shipping": columns.money(shipping),
            "updated_at": columns.timestamps(updated_s, np.ones(n_orders, dtype=np.int64)),
        }
    )

    refund_idx = np.flatnonzero(refunded)
    refund_share = np.where(full_refund[refund_idx], 1.0,
                            rng.uniform(0.1, 0.6, size=len(refund_idx)))
    refunds = pd.DataFrame(
        {
            "refund_id": columns.ids("R", np.arange(1, len(refund_idx) + 1), 9),
            "order_id": orders.ids[refund_idx],
            "refunded_at": columns.timestamps(
                refunded_s[refund_idx], np.ones(len(refund_idx), dtype=np.int64)
            ),
            "amount": columns.money(np.round(amount[refund_idx] * refund_share, 2)),
        }
    )
    return orders_table, refunds


def _products() -> pd.DataFrame:
    """20 products per category."""
    n_products = 20 * len(CATEGORIES)
    product_category = np.repeat(np.arange(len(CATEGORIES)), 20)
    return pd.DataFrame(
        {
            "product_id": np.char.mod("P%04d", np.arange(1, n_products + 1)).astype(object),
            "product_name": np.char.add(
                np.char.add(CATEGORIES[product_category].astype(str), " item "),
                np.char.mod("%d", np.arange(1, n_products + 1) % 20 + 1),
            ).astype(object),
            "category": CATEGORIES[product_category],
        }
    )


def _order_items(orders: _Orders, products: pd.DataFrame, columns: _Columns,
                 rng: np.random.Generator) -> pd.DataFrame:
    """1 to 4 lines an order; lines split the order amount; 70% from the buyer's favourite
    category."""
    amount = orders.amount
    n_orders = len(amount)
    lines_per_order = rng.integers(1, 5, size=n_orders)
    line_order = np.repeat(np.arange(n_orders), lines_per_order)
    line_weight = rng.random(len(line_order)) + 0.2
    order_weight = np.bincount(line_order, weights=line_weight, minlength=n_orders)
    line_amount = np.round(amount[line_order] * line_weight / order_weight[line_order], 2)
    # Put the rounding remainder on each order's last line so lines add up to the order.
    last_line = np.cumsum(lines_per_order) - 1
    line_amount[last_line] += np.round(
        amount - np.bincount(line_order, weights=line_amount, minlength=n_orders), 2
    )
    quantity = rng.integers(1, 4, size=len(line_order))
    quantity = np.where(line_amount / quantity < 0.5, 1, quantity)
    line_category = np.where(
        rng.random(len(line_order)) < 0.7,
        orders.category_pref[line_order],
        rng.integers(0, len(CATEGORIES), size=len(line_order)),
    )
    product_index = line_category * 20 + rng.integers(0, 20, size=len(line_order))
    return pd.DataFrame(
        {
            "order_item_id": columns.ids("L", np.arange(1, len(line_order) + 1), 10),
            "order_id": orders.ids[line_order],
            "product_id": pd.Categorical.from_codes(product_index,
                                                    pd.Index(products["product_id"])),
            "quantity": columns.integers(quantity),
            "unit_price": columns.prices(line_amount / quantity),
        }
    )


def _customers_table(customers: _Customers, period: _Period, columns: _Columns,
                     rng: np.random.Generator) -> pd.DataFrame:
    """The customers export: accounts created up to 30 days before the first visit, 1% of
    buyers missing from it."""
    n_customers = len(customers.ids)
    created_s = customers.first_seen_s - (
        rng.random(n_customers) * 30 * SECONDS_PER_DAY).astype(np.int64)
    created_s = np.maximum(created_s, period.start_s - 365 * SECONDS_PER_DAY)
    # A few buyers checked out with an account the customers export does not have.
    in_customer_table = rng.random(n_customers) >= 0.01
    return pd.DataFrame(
        {
            "customer_id": customers.ids,
            "email": np.char.add(
                np.char.lower(customers.ids.astype(str)), "@example.com"
            ).astype(object),
            "created_at": columns.timestamps(created_s, np.ones(n_customers, dtype=np.int64)),
            "country": customers.country,
            "is_loyalty_member": np.where(
                rng.random(n_customers) < 0.3 + 0.3 * (customers.propensity > 1.5),
                "true", "false"
            ).astype(object),
        }
    )[in_customer_table].reset_index(drop=True)


def _exchange_rates(spec: SampleSpec, rng: np.random.Generator) -> pd.DataFrame:
    """Exchange rates on business days only, as a random walk."""
    days = np.arange(
        np.datetime64(spec.start, "D") - np.timedelta64(7, "D"),
        np.datetime64(spec.end, "D") + np.timedelta64(1, "D"),
    )
    weekday = (days.astype(np.int64) + 3) % 7  # 0 = Monday
    business_days = days[weekday < 5]
    rate_frames = []
    for currency, start_rate in STARTING_RATES.items():
        walk = start_rate * np.exp(np.cumsum(rng.normal(0, 0.003, size=len(business_days))))
        rate_frames.append(
            pd.DataFrame(
                {
                    "currency": currency,
                    "rate_date": np.datetime_as_string(business_days, unit="D").astype(object),
                    "rate_to_reporting": np.char.mod("%.6f", walk).astype(object),
                }
            )
        )
    return pd.concat(rate_frames, ignore_index=True)


def _add_bad_rows(tables: dict[str, pd.DataFrame], rng: np.random.Generator) -> None:
    """Append a handful of rows of every kind staging must quarantine (and a few re-ingested
    versions it must deduplicate), so the sample exercises the whole quarantine path."""
    orders = tables["orders"]
    good = orders.iloc[rng.choice(len(orders), size=12, replace=False)].reset_index(drop=True)

    def variant(index: int, order_id: str, **changes: str) -> dict[Hashable, Any]:
        row = good.iloc[index].to_dict()
        row["order_id"] = order_id
        row.update(changes)
        return row

    bad_orders = [
        variant(0, "BAD-TS-1", ordered_at="not a timestamp"),
        variant(1, "BAD-TS-2", ordered_at="2024-02-30 10:00:00"),
        variant(2, "BAD-STATUS-1", status="shipped"),
        variant(3, "BAD-AMOUNT-1", amount="-12.50"),
        variant(4, "BAD-AMOUNT-2", amount="twelve"),
        variant(5, "BAD-CURRENCY-1", currency="JPY"),
        variant(6, "BAD-FUTURE-1", ordered_at="2099-01-01 00:00:00"),
        variant(7, "", amount="10.00"),
    ]
    # Exact re-ingestion of three orders, and a later version of two more.
    reingested = orders.iloc[rng.choice(len(orders), size=3, replace=False)].to_dict("records")
    later = orders[orders["status"].str.strip().str.lower() == "completed"].iloc[:2].copy()
    later["updated_at"] = "2025-12-31T23:00:00Z"
    later["status"] = "cancelled"
    tables["orders"] = pd.concat(
        [orders, pd.DataFrame(bad_orders), pd.DataFrame(reingested), later], ignore_index=True
    )

    refunds = tables["refunds"]
    completed = orders[orders["status"] == "completed"].iloc[10:12]
    bad_refunds = pd.DataFrame(
        [
            {"refund_id": "BAD-REFUND-1", "order_id": "NO-SUCH-ORDER",
             "refunded_at": "2024-06-01T00:00:00Z", "amount": "5.00"},
            {"refund_id": "BAD-REFUND-2", "order_id": completed.iloc[0]["order_id"],
             "refunded_at": "2025-12-31T00:00:00Z",
             "amount": f"{float(completed.iloc[0]['amount']) * 3 + 100:.2f}"},
            {"refund_id": "BAD-REFUND-3", "order_id": completed.iloc[1]["order_id"],
             "refunded_at": "2025-12-31T00:00:00Z", "amount": "-3.00"},
            {"refund_id": "BAD-REFUND-4", "order_id": completed.iloc[1]["order_id"],
             "refunded_at": "someday", "amount": "3.00"},
        ]
    )
    tables["refunds"] = pd.concat([refunds, bad_refunds], ignore_index=True)

    customers = tables["customers"]
    bad_customers = customers.iloc[:2].copy()
    bad_customers.loc[bad_customers.index[0], "customer_id"] = "C-BAD-FLAG"
    bad_customers.loc[bad_customers.index[0], "is_loyalty_member"] = "maybe"
    tables["customers"] = pd.concat([customers, bad_customers], ignore_index=True)

    rates = tables["exchange_rates"]
    bad_rate = pd.DataFrame(
        [{"currency": "EUR", "rate_date": "1999-01-01", "rate_to_reporting": "n/a"}]
    )
    tables["exchange_rates"] = pd.concat([rates, bad_rate], ignore_index=True)

    if "order_items" in tables:
        items = tables["order_items"]
        bad_items = items.iloc[:2].copy()
        bad_items["order_item_id"] = ["BAD-LINE-1", "BAD-LINE-2"]
        bad_items.loc[bad_items.index[0], "quantity"] = "0"
        bad_items.loc[bad_items.index[1], "order_id"] = "NO-SUCH-ORDER"
        tables["order_items"] = pd.concat([items, bad_items], ignore_index=True)


def write_csv(tables: dict[str, pd.DataFrame], out: Path) -> None:
    """One CSV file per table (the bundled sample's layout)."""
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        for stale in out.glob(f"{name}.*"):
            stale.unlink()
        frame.to_csv(out / f"{name}.csv", index=False)


CHUNKED_TABLES = ("orders", "refunds", "order_items", "customers")


def _typed_for_parquet(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    if name == "orders":
        frame["customer_id"] = pd.array(frame["customer_id"].to_numpy(), dtype="Int64")
        frame.loc[frame["customer_id"] == -1, "customer_id"] = pd.NA
    for column in ("status", "currency", "country", "is_loyalty_member", "category"):
        if column in frame:
            frame[column] = frame[column].astype("category")
    return frame


def write_typed_parquet(spec: SampleSpec, out: Path, chunk_orders: int = 2_000_000,
                        log=print) -> None:
    """Any size: typed Parquet, generated and written in chunks of `chunk_orders` orders
    (each chunk its own customers, with ids unique across chunks), as folders
    `<table>/part-NNNNN.parquet` that `raw_data_path` reads whole. Memory stays that of
    one chunk."""
    import shutil

    out.mkdir(parents=True, exist_ok=True)
    for name in (*CHUNKED_TABLES, "products", "exchange_rates"):
        for stale in out.glob(f"{name}*"):
            shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    chunks = max(1, -(-spec.orders // chunk_orders))
    customers_per_order = spec.customer_count / spec.orders
    for index in range(chunks):
        orders = min(chunk_orders, spec.orders - index * chunk_orders)
        chunk = SampleSpec(
            orders=orders, customers=max(1, round(orders * customers_per_order)),
            start=spec.start, end=spec.end, seed=spec.seed + index, bad_rows=False,
            order_items=spec.order_items,
        )
        tables = generate(chunk, typed_offset=index * 10_000_000_000)
        for name, frame in tables.items():
            frame = _typed_for_parquet(name, frame)
            if name in CHUNKED_TABLES:
                (out / name).mkdir(exist_ok=True)
                frame.to_parquet(out / name / f"part-{index:05d}.parquet", index=False)
            elif index == 0:
                frame.to_parquet(out / f"{name}.parquet", index=False)
        log(f"chunk {index + 1}/{chunks}: {orders:,} orders")


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to write the raw files to")
    parser.add_argument("--orders", type=int, default=SampleSpec.orders)
    parser.add_argument("--customers", type=int, default=None)
    parser.add_argument("--start", default=SampleSpec.start)
    parser.add_argument("--end", default=SampleSpec.end)
    parser.add_argument("--seed", type=int, default=SampleSpec.seed)
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
    parser.add_argument("--no-bad-rows", action="store_true")
    parser.add_argument("--no-order-items", action="store_true")
    parser.add_argument("--chunk-orders", type=int, default=2_000_000,
                        help="parquet: orders generated and written per chunk")
    args = parser.parse_args(argv)
    spec = SampleSpec(
        orders=args.orders,
        customers=args.customers,
        start=args.start,
        end=args.end,
        seed=args.seed,
        bad_rows=not args.no_bad_rows,
        order_items=not args.no_order_items,
    )
    if args.format == "parquet":
        write_typed_parquet(spec, args.out, args.chunk_orders,
                            log=lambda line: print(line, file=sys.stderr))
        return 0
    tables = generate(spec)
    write_csv(tables, args.out)
    for name, frame in tables.items():
        print(f"{name}: {len(frame):,} rows", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
