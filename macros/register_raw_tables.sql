{#-
  Makes every table of the raw-data contract (the `shop` source) queryable before any
  model runs, and fails fast, naming the file and column, when the input breaks the
  contract. The contract itself is read from `_shop__sources.yml`, so it is written once.
-#}
{% macro register_raw_tables() %}
    {% if execute %}
        {% do adapter.dispatch('register_raw_tables', 'customer_segments')(
            raw_table_contract()
        ) %}
    {% endif %}
    {# The hook's own SQL: the work is done by the statements above. #}
    select 1 as raw_tables_registered
{% endmacro %}


{#- [{name, required, columns: [{name, required}]}] for each table of the shop source. -#}
{% macro raw_table_contract() %}
    {% set tables = [] %}
    {% for source_node in graph.sources.values()
        if source_node.source_name == 'shop' %}
        {% set columns = [] %}
        {% for column in source_node.columns.values() %}
            {% do columns.append({
                'name': column.name,
                'required': node_meta(column).get('required', false),
            }) %}
        {% endfor %}
        {% do tables.append({
            'name': source_node.name,
            'required': node_meta(source_node).get('required', false),
            'columns': columns,
        }) %}
    {% endfor %}
    {{ return(tables) }}
{% endmacro %}


{#- `meta` set under `config:` (dbt >= 1.10) or at the top level of a node or column. -#}
{% macro node_meta(node) %}
    {% set config = node.get('config') or {} %}
    {% set meta = {} %}
    {% do meta.update(node.get('meta') or {}) %}
    {% do meta.update(config.get('meta') or {}) %}
    {{ return(meta) }}
{% endmacro %}


{#- Other engines: the raw tables are loaded by you; check them, create absent optional ones empty. -#}
{% macro default__register_raw_tables(contract) %}
    {% set raw_schema = project_var('raw_schema') %}
    {% for table in contract %}
        {% set relation = adapter.get_relation(
            database=target.database, schema=raw_schema, identifier=table.name
        ) %}
        {% if relation is none and table.required %}
            {{ exceptions.raise_compiler_error(
                "Raw table " ~ raw_schema ~ "." ~ table.name ~ " is required but does not exist."
            ) }}
        {% elif relation is none %}
            {% do adapter.create_schema(api.Relation.create(
                database=target.database, schema=raw_schema
            )) %}
            {% do run_query(
                "create view " ~ adapter.quote(raw_schema) ~ "." ~ adapter.quote(table.name)
                ~ " as " ~ empty_raw_table_sql(table)
            ) %}
        {% else %}
            {% set present = adapter.get_columns_in_relation(relation)
                | map(attribute='name') | map('lower') | list %}
            {% for column in table.columns
                if column.name | lower not in present and column.name != '_loaded_at' %}
                {{ exceptions.raise_compiler_error(
                    "Raw table " ~ relation ~ " has no column '" ~ column.name ~ "'"
                    ~ (" (required)." if column.required
                       else " (optional: add it, empty, or leave the table out).")
                ) }}
            {% endfor %}
        {% endif %}
    {% endfor %}
{% endmacro %}


{#- DuckDB: read `raw_data_path`/<table>.csv|.csv.gz|.parquet, or a folder <table>/ of them. -#}
{% macro duckdb__register_raw_tables(contract) %}
    {% set raw_schema = project_var('raw_schema') %}
    {% set raw_path = project_var('raw_data_path') | string %}
    {% if raw_path.endswith('/') %}{% set raw_path = raw_path[:-1] %}{% endif %}
    {% set found = run_query(
        "select count(*) from glob(" ~ sql_string(raw_path ~ "/**") ~ ")"
    ) %}
    {% if found.rows[0][0] == 0 %}
        {{ exceptions.raise_compiler_error(
            "raw_data_path '" ~ raw_path ~ "' does not exist or is empty."
        ) }}
    {% endif %}
    {% do run_query("create schema if not exists " ~ adapter.quote(raw_schema)) %}

    {% for table in contract %}
        {% set target_view = adapter.quote(raw_schema) ~ "." ~ adapter.quote(table.name) %}
        {% set files = raw_files(raw_path, table.name) %}
        {% if files | length == 0 %}
            {% if table.required %}
                {{ exceptions.raise_compiler_error(
                    "Required raw file '" ~ raw_path ~ "/" ~ table.name
                    ~ ".csv' (or .csv.gz, .parquet, or a folder '" ~ table.name
                    ~ "/' of them) was not found."
                ) }}
            {% endif %}
            {% do run_query(
                "create or replace view " ~ target_view ~ " as " ~ empty_raw_table_sql(table)
            ) %}
            {% do run_query(
                "create or replace view " ~ raw_files_relation(table.name) ~ " as select"
                ~ " cast(null as varchar) as _source_file, cast(null as timestamp) as _loaded_at"
                ~ " where 1 = 0"
            ) %}
        {% else %}
            {% set formats = files | map(attribute=1) | unique | list %}
            {% if formats | length > 1 %}
                {{ exceptions.raise_compiler_error(
                    "Raw table '" ~ table.name ~ "' has both CSV and Parquet files under '"
                    ~ raw_path ~ "': keep one format."
                ) }}
            {% endif %}
            {% set quoted_files = [] %}
            {% for file in files %}{% do quoted_files.append(sql_string(file[0])) %}{% endfor %}
            {% set file_list = "[" ~ quoted_files | join(", ") ~ "]" %}
            {% set file_names = files | map(attribute=0) | join(", ") %}
            {% if formats[0] == 'parquet' %}
                {% set reader = "read_parquet(" ~ file_list
                    ~ ", union_by_name = true, filename = true)" %}
            {% else %}
                {% set reader = csv_reader(files | map(attribute=0) | list, table) %}
            {% endif %}
            {% set file_columns = {} %}
            {% set extra_columns = [] %}
            {% for row in run_query("describe select * from " ~ reader) %}
                {% if modules.re.match('^column[0-9]+$', row[0]) %}
                    {% do extra_columns.append(row[0]) %}
                {% else %}
                    {% do file_columns.update({(row[0] | trim | lower): row[0]}) %}
                {% endif %}
            {% endfor %}
            {#- Each file's modification time is when its rows landed: incremental models
                re-read only the files that landed since their watermark. -#}
            {% set files_view = raw_files_relation(table.name) %}
            {% do run_query(
                "create or replace view " ~ files_view ~ " as select filename as _source_file, "
                ~ "cast(last_modified as timestamp) as _loaded_at from read_blob(" ~ file_list ~ ")"
            ) %}
            {% set select_list = [] %}
            {% for column in table.columns if column.name != '_loaded_at' %}
                {% if column.name in file_columns %}
                    {% do select_list.append(
                        "cast(raw_file." ~ adapter.quote(file_columns[column.name]) ~ " as varchar) as "
                        ~ column.name
                    ) %}
                {% elif column.required %}
                    {{ exceptions.raise_compiler_error(
                        "Raw file " ~ file_names ~ " has no column '" ~ column.name
                        ~ "', which the '" ~ table.name ~ "' table requires."
                    ) }}
                {% else %}
                    {% do select_list.append("cast(null as varchar) as " ~ column.name) %}
                {% endif %}
            {% endfor %}
            {#- Fields beyond the header (null_padding names them column<N>). -#}
            {% set extra_values = [] %}
            {% for column in extra_columns %}
                {% do extra_values.append("raw_file." ~ adapter.quote(column)) %}
            {% endfor %}
            {% do select_list.append(
                ("nullif(concat_ws(',', " ~ extra_values | join(", ") ~ "), '')"
                 if extra_values else "cast(null as varchar)") ~ " as _extra_fields"
            ) %}
            {% do select_list.append("raw_file.filename as _source_file") %}
            {% do select_list.append("landed_file._loaded_at") %}
            {% do run_query(
                "create or replace view " ~ target_view ~ " as select "
                ~ select_list | join(", ") ~ " from " ~ reader ~ " as raw_file"
                ~ " inner join " ~ files_view ~ " as landed_file"
                ~ " on raw_file.filename = landed_file._source_file"
            ) %}
        {% endif %}
    {% endfor %}
    {% do record_rewritten_raw_files() %}
{% endmacro %}


{#- Incremental runs assume files are only ever added. When a file an incremental model
    has read was since edited or removed (rows it read carry a landing time no current
    file has), this run rebuilds every incremental model from scratch instead: rows of
    the old file must disappear, and no key-by-key update can know them. Records the
    verdict in `<raw_schema>._raw_files_rewritten` for `should_full_refresh`. -#}
{% macro record_rewritten_raw_files() %}
    {% set rewritten = [] %}
    {% for node in graph.nodes.values()
        if node.resource_type == 'model' and node.config.get('rereads_raw_files') %}
        {% set relation = adapter.get_relation(
            database=node.database, schema=node.schema, identifier=node.alias
        ) %}
        {% set raw_tables = [] %}
        {% for parent in node.depends_on.nodes
            if parent.startswith('source.customer_segments.shop.') %}
            {% do raw_tables.append(parent.split('.')[-1]) %}
        {% endfor %}
        {% if relation is not none and raw_tables | length == 1 %}
            {% set vanished = run_query(
                "select count(*) from (select distinct _loaded_at from " ~ relation
                ~ " where _loaded_at is not null) as read_before where _loaded_at not in"
                ~ " (select _loaded_at from " ~ raw_files_relation(raw_tables[0]) ~ ")"
            ).rows[0][0] %}
            {% if vanished > 0 %}{% do rewritten.append(raw_tables[0]) %}{% endif %}
        {% endif %}
    {% endfor %}
    {% if rewritten %}
        {{ log("Raw files of " ~ rewritten | join(", ") ~ " were edited or removed since they"
            ~ " were read: rebuilding the incremental models from scratch.", info=true) }}
    {% endif %}
    {% do run_query(
        "create or replace table " ~ adapter.quote(project_var('raw_schema')) ~ "._raw_files_rewritten"
        ~ " as select " ~ ('true' if rewritten else 'false') ~ " as is_rewritten"
    ) %}
{% endmacro %}


{#-
  The reader of one table's CSV files. The contract's dialect is UTF-8, comma-separated,
  a header row, '"' quotes. Files up to 64 MiB (not gzipped) are sniffed first, so the
  exports real shops send are read too: UTF-16 (with its byte-order mark) and files that
  are not valid UTF-8 (read as Latin-1, the usual Windows export); semicolon, tab or
  pipe delimiters (whichever of , ; tab | the header row holds most). Rows shorter than
  the header are read with the missing fields empty; longer ones keep their extra fields
  in `_extra_fields`. An empty (0-byte) file stops the run with a message naming it.
  (DuckDB's parallel CSV scanner cannot pad short rows when a quoted value holds a line
  break, so CSV is read by one thread; typed Parquet is the fast path.)
-#}
{% macro csv_reader(files, table) %}
    {% set dialects = {} %}
    {% set sniffable = [] %}
    {% for file in files %}
        {% if file.endswith('.gz') %}
            {% do dialects.setdefault(('utf-8', ','), []).append(file) %}
        {% else %}
            {% do sniffable.append(sql_string(file)) %}
        {% endif %}
    {% endfor %}
    {% if sniffable %}
        {#- Blob to text keeps ASCII as is and escapes other bytes, whatever the encoding:
            enough to count delimiters in the header row. -#}
        {% set sniffed = run_query(
            "with files as (select filename, size, case when size <= 67108864 then content end"
            ~ " as content from read_blob([" ~ sniffable | join(", ") ~ "])),"
            ~ " heads as (select filename, size, content,"
            ~ " split_part(cast(content as varchar), '\\x0A', 1) as head from files)"
            ~ " select filename, size,"
            ~ " coalesce(content[1:2] in ('\\xFF\\xFE'::blob, '\\xFE\\xFF'::blob), false),"
            ~ " coalesce(content is not null and try(decode(content)) is null, false),"
            ~ " length(head) - length(replace(head, ',', '')),"
            ~ " length(head) - length(replace(head, ';', '')),"
            ~ " (length(head) - length(replace(head, '\\x09', ''))) // 4,"
            ~ " length(head) - length(replace(head, '|', ''))"
            ~ " from heads order by filename"
        ) %}
        {% for row in sniffed.rows %}
            {% if row[1] == 0 %}
                {{ exceptions.raise_compiler_error(
                    "Raw file " ~ row[0] ~ " is empty (0 bytes): a CSV file needs at least"
                    ~ " its header row (" ~ table.columns | map(attribute='name')
                    | reject('equalto', '_loaded_at') | join(',') ~ "). Write the header,"
                    ~ " or remove the file."
                ) }}
            {% endif %}
            {% set encoding = 'utf-16' if row[2] else ('latin-1' if row[3] else 'utf-8') %}
            {% set counts = [(row[4], ','), (row[5], ';'), (row[6], '	'), (row[7], '|')] %}
            {% set delimiter = (counts | sort(attribute=0, reverse=true) | first)[1]
                if (counts | map(attribute=0) | max) > row[4] else ',' %}
            {% do dialects.setdefault((encoding, delimiter), []).append(row[0]) %}
        {% endfor %}
    {% endif %}
    {% set readers = [] %}
    {% for dialect, dialect_files in dialects | dictsort %}
        {% set quoted = [] %}
        {% for file in dialect_files %}{% do quoted.append(sql_string(file)) %}{% endfor %}
        {% do readers.append(
            "select * from read_csv([" ~ quoted | join(", ") ~ "], header = true"
            ~ ", all_varchar = true, delim = " ~ sql_string(dialect[1])
            ~ ", quote = '\"', escape = '\"', encoding = " ~ sql_string(dialect[0])
            ~ ", null_padding = true, parallel = false, union_by_name = true, filename = true)"
        ) %}
    {% endfor %}
    {{ return("(" ~ readers | join(" union all by name ") ~ ")") }}
{% endmacro %}


{#- [(path, 'csv' | 'parquet')] of the files holding one raw table, sorted by path. -#}
{% macro raw_files(raw_path, table_name) %}
    {% set patterns = [
        (raw_path ~ "/" ~ table_name ~ ".parquet", 'parquet'),
        (raw_path ~ "/" ~ table_name ~ "/*.parquet", 'parquet'),
        (raw_path ~ "/" ~ table_name ~ ".csv", 'csv'),
        (raw_path ~ "/" ~ table_name ~ ".csv.gz", 'csv'),
        (raw_path ~ "/" ~ table_name ~ "/*.csv", 'csv'),
        (raw_path ~ "/" ~ table_name ~ "/*.csv.gz", 'csv'),
    ] %}
    {% set queries = [] %}
    {% for pattern, file_format in patterns %}
        {% do queries.append(
            "select file, " ~ sql_string(file_format) ~ " as file_format from glob("
            ~ sql_string(pattern) ~ ")"
        ) %}
    {% endfor %}
    {% set result = run_query(queries | join(" union all ") ~ " order by file") %}
    {{ return(result.rows | map('list') | list) }}
{% endmacro %}


{#- A zero-row select with the contract's columns, standing in for an absent optional table. -#}
{% macro empty_raw_table_sql(table) %}
    {% set select_list = [] %}
    {% for column in table.columns if column.name != '_loaded_at' %}
        {% do select_list.append(
            "cast(null as " ~ dbt.type_string() ~ ") as " ~ column.name
        ) %}
    {% endfor %}
    {% do select_list.append("cast(null as " ~ dbt.type_string() ~ ") as _extra_fields") %}
    {% do select_list.append("cast(null as " ~ dbt.type_string() ~ ") as _source_file") %}
    {% do select_list.append("cast(null as " ~ dbt.type_timestamp() ~ ") as _loaded_at") %}
    {{ return("select " ~ select_list | join(", ") ~ " where 1 = 0") }}
{% endmacro %}


{#- A SQL string literal. -#}
{% macro sql_string(value) %}
    {{ return("'" ~ (value | string | replace("'", "''")) ~ "'") }}
{% endmacro %}


{#- The view listing the files of one raw table and when each landed (DuckDB reader only). -#}
{% macro raw_files_relation(table_name) %}
    {{ return(adapter.quote(project_var('raw_schema')) ~ "." ~ adapter.quote("_files_" ~ table_name)) }}
{% endmacro %}
