"""The upload of an image result, watched while it is read.

Django's multipart parser strips any folder from a file's name ("../x.png" arrives as "x.png")
and drops a name that is only a folder: an upload whose name held a path could not be told from
any other. ResultUploadHandler parses the body itself with a parser that notes each name as it
was sent (request.raw_upload_names), and stops keeping a file's bytes past the size an image may
have, so an oversized file is known by its size and never held whole, in memory or on disk.

Installed by views.session_action before anything reads the body (the CSRF check reads it).
"""

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http.multipartparser import MultiPartParser

from sessions_app import results


class _NamesAsSent(MultiPartParser):
    def __init__(self, *args, names: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.names = names

    def sanitize_file_name(self, file_name):
        self.names.append(file_name)
        return super().sanitize_file_name(file_name)


class OversizedUpload(UploadedFile):
    """A file refused for its size: its name and size only, none of its bytes."""

    def __init__(self, name: str, size: int):
        super().__init__(file=None, name=name, size=size)


class ResultUploadHandler(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.parsing = False
        self.received = 0
        request.raw_upload_names = []

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if self.parsing:  # Called again by the parser below: let it parse.
            return None
        self.parsing = True
        parser = _NamesAsSent(
            META,
            input_data,
            self.request.upload_handlers,
            encoding,
            names=self.request.raw_upload_names,
        )
        return parser.parse()

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        # Past the limit the handlers after this one get nothing more of this file.
        return None if self.received > results.IMAGE_MAX_BYTES else raw_data

    def file_complete(self, file_size):
        if self.received > results.IMAGE_MAX_BYTES:
            return OversizedUpload(self.file_name, self.received)
        return None
