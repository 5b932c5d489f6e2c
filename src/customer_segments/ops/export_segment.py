"""Write one segment's member list to CSV, for a campaign tool.

    customer-segments export-segment --family top_customers \
        --segment "Top Customers" --out top_customers.csv

Reads `marts.fct_customer_segments` of the publication (or --database) through a read-only
connection. Lists the families and segments when the one asked for does not exist.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from customer_segments.ops.database_files import LockedDatabase, publication_path, read_only

COLUMNS = "customer_id, email, country, net_lifetime_spend, last_order_date, as_of_date"


def segment_members_query() -> str:
    """One segment's members, biggest spenders first; parameters: family, segment. The
    Segmentation app's download runs it too."""
    return (f"select {COLUMNS} from marts.fct_customer_segments "
            "where segment_family = ? and segment_name = ? "
            "order by net_lifetime_spend desc, customer_id")


def export_segment(database: Path, family: str, segment: str, out: Path) -> int:
    """Write the members; return how many. Raises LookupError for an unknown segment."""
    with read_only(database) as connection:
        members = connection.execute(segment_members_query(), [family, segment]).df()
        if members.empty:
            known = connection.execute(
                "select segment_family, segment_name, count(*) from marts.fct_customer_segments "
                "group by all order by all"
            ).fetchall()
            listing = "\n".join(f"  {f} / {s} ({n} customers)" for f, s, n in known)
            raise LookupError(f"No customers in {family} / {segment}. Segments:\n{listing}")
    out.parent.mkdir(parents=True, exist_ok=True)
    members.to_csv(out, index=False)
    return len(members)


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("--family", required=True, help="segment family, e.g. top_customers")
    parser.add_argument("--segment", required=True, help='segment name, e.g. "Top Customers"')
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--database", type=Path, default=None,
                        help="default: the publication (CUSTOMER_SEGMENTS_PUBLICATION_PATH, "
                             "else publication/customer_segments.duckdb)")
    args = parser.parse_args(argv)
    try:
        count = export_segment(args.database or publication_path(), args.family, args.segment,
                               args.out)
    except (FileNotFoundError, LockedDatabase) as error:
        print(f"export-segment: {error}", file=sys.stderr)
        return 2
    except LookupError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"{count} customers written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
