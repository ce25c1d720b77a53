"""Rewrite a generated initial migration so that tables in a foreign-key cycle work.

tortoise-orm 1.1's autodetector emits CreateModel operations in an order where some
foreign keys point at tables not created yet (Email <-> EmailThread, Document ->
Email), and the schema editor then silently drops those columns. This moves every
such foreign key, and any index that needs it, into AddField/AddIndex operations
after all tables exist. Run once after `tortoise makemigrations` on an empty history:
`python tools/untangle_migration.py app.migrations.0001_initial`.
"""

import importlib
import sys

from tortoise.fields.relational import ForeignKeyFieldInstance
from tortoise.migrations import operations as ops
from tortoise.migrations.writer import MigrationWriter


def main(module_name: str) -> None:
    migration = importlib.import_module(module_name).Migration
    created: set[str] = set()
    creates, deferred_fields, deferred_indexes = [], [], []
    for op in migration.operations:
        assert isinstance(op, ops.CreateModel), op
        created.add(op.name)
        kept, moved_columns = [], set()
        for name, field in op.fields:
            target = getattr(field, "model_name", "").rpartition(".")[2]
            if isinstance(field, ForeignKeyFieldInstance) and target not in created - {
                op.name
            }:
                deferred_fields.append(ops.AddField(op.name, name, field))
                moved_columns.add(field.source_field or f"{name}_id")
            else:
                kept.append((name, field))
        op.fields = kept
        options = dict(op.options or {})
        indexes = list(options.get("indexes", []))
        for index in [i for i in indexes if moved_columns & set(i.fields)]:
            indexes.remove(index)
            deferred_indexes.append(ops.AddIndex(op.name, index))
        if "indexes" in options:
            options["indexes"] = indexes
        op.options = options
        creates.append(op)
    writer = MigrationWriter(
        module_name.rpartition(".")[2],
        "models",
        [*creates, *deferred_fields, *deferred_indexes],
        dependencies=list(migration.dependencies),
        initial=True,
        migrations_module=module_name.rpartition(".")[0],
    )
    print(writer.write())


if __name__ == "__main__":
    main(sys.argv[1])
