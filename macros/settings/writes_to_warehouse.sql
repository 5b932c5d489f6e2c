{#- True while dbt executes a command that writes (build, run, seed, snapshot, test,
    run-operation): the on-run-start hooks then register raw tables, create engine
    functions and record the invocation. Commands that only compile or list leave a
    built database as it is. -#}
{% macro writes_to_warehouse() %}
    {{ return(execute and flags.WHICH not in ['compile', 'generate', 'list', 'ls', 'parse']) }}
{% endmacro %}
