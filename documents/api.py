"""Documents through the REST API: what the young person's documents page lists (documents.rules),
each version's metadata; a version's file by its own download, refused (403) to those who may
not read a restricted document, and audited as a read of restricted content when it is one."""

from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request

from clients.api import RecordPartViewSet, RestrictableEntrySerializer
from clients.rules import with_readable_content
from documents.models import Document, DocumentVersion
from documents.queries import newest_versions_first
from documents.rules import documents_visible_to
from toolkit.access import find_or_404, shows_restricted_content
from toolkit.uploads import as_download

# What a restricted document's non-readers get as null.
CONTENT_FIELDS = ("title", "provided_by", "versions")


class DocumentVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentVersion
        fields = ["id", "number", "original_name", "content_type", "size", "uploaded_at"]


class DocumentSerializer(RestrictableEntrySerializer, serializers.ModelSerializer):
    content_fields = CONTENT_FIELDS
    versions = DocumentVersionSerializer(
        many=True, allow_null=True, help_text="Newest first; null for those who may not read it."
    )

    class Meta:
        model = Document
        fields = [
            "id",
            "young_person_id",
            "kind",
            "title",
            "dated",
            "provided_by",
            "expires_on",
            "added_at",
            "in_error_at",
            "in_error_reason",
            "restricted",
            "restricted_because",
            "versions",
        ]
        extra_kwargs = {name: {"allow_null": True} for name in ("title", "provided_by")}


class DocumentViewSet(RecordPartViewSet):
    """The documents of the young people the account sees, with their versions."""

    model = Document
    serializer_class = DocumentSerializer
    visible_to = staticmethod(documents_visible_to)

    def with_related(self, documents: QuerySet[Document]) -> QuerySet[Document]:
        readable = with_readable_content(documents, self.request.user)
        return readable.prefetch_related(newest_versions_first())

    def paginate_queryset(self, queryset: QuerySet[Document]) -> list[Document] | None:
        page = super().paginate_queryset(queryset)
        shows_restricted_content(self.request, [doc for doc in page or () if doc.content_readable])
        return page

    def get_object(self) -> Document:
        document = super().get_object()
        if document.content_readable:
            shows_restricted_content(self.request, [document])
        return document

    @extend_schema(
        responses={
            (200, "*/*"): OpenApiResponse(
                OpenApiTypes.BINARY, "The version's file, as it was uploaded, as a download."
            )
        }
    )
    @action(detail=True, url_path=r"versions/(?P<version_pk>[0-9]+)/file")
    def file(self, request: Request, pk: str, version_pk: str) -> FileResponse:
        """One version's file, for those who may read the document."""
        document = super().get_object()
        if not document.content_readable:
            raise exceptions.PermissionDenied("This document is restricted.")
        version = find_or_404(request, document.versions.all(), pk=version_pk)
        shows_restricted_content(request, [document])
        return as_download(
            version.file, filename=version.original_name, content_type=version.content_type
        )
