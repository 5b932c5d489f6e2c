{#-
  The DuckDB reader: raw tables are views over the files under `raw_data_path`.
-#}

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
            {% do write_file_listing(table.name,
                "select cast(null as varchar) as _source_file, cast(null as timestamp) as _loaded_at"
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
            {#- contract column name -> (the file's column name, its type) -#}
            {% set file_columns = {} %}
            {% set extra_columns = [] %}
            {% for row in run_query("describe select * from " ~ reader) %}
                {% if modules.re.match('^column[0-9]+$', row[0]) %}
                    {% do extra_columns.append(row[0]) %}
                {% else %}
                    {% do file_columns.update({(row[0] | trim | lower): (row[0], row[1])}) %}
                {% endif %}
            {% endfor %}
            {#- Each file's modification time is when its rows landed: incremental models
                re-read only the files that landed since their watermark. -#}
            {% set file_listing = raw_files_relation(table.name) %}
            {% do write_file_listing(table.name,
                "select filename as _source_file, cast(last_modified as timestamp) as _loaded_at"
                ~ " from read_blob(" ~ file_list ~ ")"
            ) %}
            {% set select_list = [] %}
            {% for column in table.columns if column.name != '_loaded_at' %}
                {% if column.name in file_columns %}
                    {% set file_name, file_type = file_columns[column.name] %}
                    {% set file_column = "raw_file." ~ adapter.quote(file_name) %}
                    {% do select_list.append(
                        (file_column if is_parsed_typed(file_type)
                         else "cast(" ~ file_column ~ " as varchar)") ~ " as " ~ column.name
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
                ~ " inner join " ~ file_listing ~ " as landed_file"
                ~ " on raw_file.filename = landed_file._source_file"
            ) %}
        {% endif %}
    {% endfor %}
{% endmacro %}


{#- Whether staging parses a raw column of this DuckDB type as it is (a typed Parquet
    column: no text round trip, see trimmed_text and clean_text_matching); any other type
    is read as text, as CSV always is. -#}
{% macro is_parsed_typed(data_type) %}
    {{ return(modules.re.match(
        '^(VARCHAR|BOOLEAN|DATE|TIMESTAMP|TIMESTAMP WITH TIME ZONE|FLOAT|DOUBLE|DECIMAL[(][0-9, ]+[)]'
        ~ '|U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT))$', data_type) is not none) }}
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


{#- Writes the listing of one raw table's files as a table, taken once at the start of
    the run: every model of the run, at compile and at run time, sees the same landing
    times (a view would read them live, and a file touched mid-run could make a model
    compile incrementally and then materialize as a rebuild). -#}
{% macro write_file_listing(table_name, listing_sql) %}
    {#- The catalog is asked directly: adapter.get_relation would open a transaction that
        nothing in a hook commits. -#}
    {% set is_view = run_query(
        "select count(*) from duckdb_views() where schema_name = "
        ~ sql_string(project_var('raw_schema')) ~ " and view_name = "
        ~ sql_string('_files_' ~ table_name)
    ).rows[0][0] > 0 %}
    {% if is_view %}
        {% do run_query("drop view " ~ raw_files_relation(table_name)) %}
    {% endif %}
    {% do run_query(
        "create or replace table " ~ raw_files_relation(table_name) ~ " as " ~ listing_sql
    ) %}
{% endmacro %}


{#- The table listing the files of one raw table and when each landed (DuckDB reader only). -#}
{% macro raw_files_relation(table_name) %}
    {{ return(adapter.quote(project_var('raw_schema')) ~ "." ~ adapter.quote("_files_" ~ table_name)) }}
{% endmacro %}
