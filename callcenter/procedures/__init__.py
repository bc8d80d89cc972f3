"""The procedure catalogue (catalogue.toml): what each procedure asks, in data.

    from callcenter.procedures import load_catalogue
    catalogue = load_catalogue()                    # checked and cached
    procedure = catalogue.get("fishing_licence")
    procedure.fields_for("reissue")                 # the fields that apply to a variant
"""

from callcenter.procedures.loader import (
    CHANNELS,
    FIELD_TYPES,
    GROUPS,
    AttachmentSpec,
    Catalogue,
    CatalogueError,
    FieldSpec,
    Procedure,
    Variant,
    load_catalogue,
    parse_catalogue,
)

__all__ = [
    "CHANNELS", "FIELD_TYPES", "GROUPS", "AttachmentSpec", "Catalogue", "CatalogueError", "FieldSpec",
    "Procedure", "Variant", "load_catalogue", "parse_catalogue",
]
