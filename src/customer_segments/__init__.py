"""customer_segments: the CLV models (`clv`), operations commands (`ops`) and developer
tools (`dev`) of the dbt project, behind one command line (`cli`: `customer-segments`)."""
