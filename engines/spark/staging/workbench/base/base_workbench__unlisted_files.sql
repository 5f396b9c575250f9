-- Files raw_events_glob should name but the engine's file listing misses (DuckDB: a Python model
-- that walks the folders). Spark's Hadoop file listing has no such blind spot for odd bytes or
-- backslashes, and its glob matching is case-sensitive like DuckDB's; it is not checked here
-- (docs/spark.md), so the model has no rows.
with

final as (
    select
        cast(null as string) as source_file,
        cast(null as string) as reason,
        cast(null as string) as detail,
        cast(null as bigint) as size_bytes
    where false
)

select * from final
