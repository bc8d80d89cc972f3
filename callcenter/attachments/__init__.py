"""Documents citizens attach to dossiers: received with a cap, checked by content,
re-encoded without metadata, kept in a store outside the database.

    upload = await read_upload(request, max_bytes=...)      # receive.py: streamed, capped
    prepared = prepare_document(upload.path, max_side=...)   # content.py: what it really is
    attachment = add_attachment(session, dossier=..., name=..., prepared=..., store=..., by="web")
"""
