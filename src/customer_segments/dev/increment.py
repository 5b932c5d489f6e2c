"""Append a day's worth of new raw data to a typed-Parquet folder (what a daily load brings).

    customer-segments increment --data bench/data/orders_1000000 --fraction 0.001

Writes one new file per table (`<table>/part-increment-NNN.parquet`), so the files land
after everything already read and an incremental run picks up only them. For `fraction`
of the existing orders it adds:
- new orders (90%): existing customers buying again on the day after the latest order;
- late orders (5%): new order ids placed on old dates;
- re-ingested versions (5%): existing orders sent again, cancelled, with a later
  `updated_at`;
- order lines for every new and late order (copies of the lines of the order they are
  modelled on, with new ids);
- refunds of old completed orders (5% of the count): a tenth of the amount back.
`remove_increments` deletes those files again, so a benchmark starts from the same data.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

INCREMENT_GLOB = "part-increment-*.parquet"


def remove_increments(data: Path) -> int:
    removed = 0
    for path in data.glob(f"*/{INCREMENT_GLOB}"):
        path.unlink()
        removed += 1
    return removed


def append_increment(data: Path, fraction: float = 0.001, seed: int = 7) -> dict[str, int]:
    """Write one increment file per table; returns the rows written per table."""
    number = len(list(data.glob(f"orders/{INCREMENT_GLOB}"))) + 1
    name = f"part-increment-{number:03d}.parquet"
    with duckdb.connect() as connection:
        connection.execute("set enable_progress_bar = false")
        def scan(table: str) -> str:
            return f"read_parquet('{data}/{table}/*.parquet')"

        total, latest, last_order_id = connection.execute(
            f"select count(*), max(ordered_at), max(order_id) from {scan('orders')}"
        ).fetchall()[0]
        last_item_id = connection.execute(
            f"select max(order_item_id) from {scan('order_items')}").fetchall()[0][0]
        last_refund_id = connection.execute(
            f"select max(refund_id) from {scan('refunds')}").fetchall()[0][0]
        count = max(20, round(total * fraction))
        next_day = f"date_trunc('day', timestamp '{latest}') + interval 1 day"

        connection.execute(f"""
            create temp table modelled_on as
            select *, row_number() over (order by order_id) as position
            from (select * from {scan('orders')} where customer_id is not null
                  using sample reservoir({count} rows) repeatable ({seed}))
        """)
        # Every 20th sampled order is re-ingested, every 20th (offset) is a late order.
        connection.execute(f"""
            create temp table new_orders as
            select
                {last_order_id} + position as order_id,
                order_id as modelled_on_order_id,
                customer_id,
                case when position % 20 = 1 then ordered_at
                     else {next_day} + to_seconds(position % 86400) end as ordered_at,
                'completed' as status, currency, amount, tax, shipping,
                {next_day} + to_seconds(position % 86400) as updated_at
            from modelled_on
            where position % 20 <> 0
        """)
        tables = {
            "orders": f"""
                select order_id, customer_id, ordered_at, status, currency, amount, tax,
                       shipping, updated_at
                from new_orders
                union all
                select order_id, customer_id, ordered_at, 'cancelled', currency, amount, tax,
                       shipping, {next_day} + interval 12 hour
                from modelled_on where position % 20 = 0
            """,
            "order_items": f"""
                select {last_item_id} + row_number() over (order by items.order_item_id)
                           as order_item_id,
                       new_orders.order_id, items.product_id, items.quantity, items.unit_price
                from new_orders
                inner join {scan('order_items')} as items
                    on items.order_id = new_orders.modelled_on_order_id
            """,
            "refunds": f"""
                select {last_refund_id} + row_number() over (order by order_id) as refund_id,
                       order_id, {next_day} + interval 18 hour as refunded_at,
                       round(amount * 0.1, 2) as amount
                from (select * from {scan('orders')} where status = 'completed'
                      using sample reservoir({max(1, count // 20)} rows) repeatable ({seed}))
            """,
        }
        written = {}
        for table, query in tables.items():
            connection.execute(f"copy ({query}) to '{data}/{table}/{name}' (format parquet)")
            written[table] = connection.execute(
                f"select count(*) from read_parquet('{data}/{table}/{name}')").fetchall()[0][0]
    return written


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="a typed-Parquet raw folder")
    parser.add_argument("--fraction", type=float, default=0.001)
    parser.add_argument("--remove", action="store_true", help="delete the increments instead")
    args = parser.parse_args(argv)
    if args.remove:
        print(f"removed {remove_increments(args.data)} increment files")
    else:
        print(append_increment(args.data, args.fraction))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
