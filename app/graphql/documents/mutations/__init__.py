"""The review of annotations."""

from strawberry.tools import merge_types

from app.graphql.documents.mutations.update_annotation import UpdateAnnotation

DocumentMutations = merge_types("DocumentMutations", (UpdateAnnotation,))
