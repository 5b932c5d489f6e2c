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
