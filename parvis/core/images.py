"""Photos sent by residents (reports, budget proposals...): checked, re-encoded, stripped of
every metadata.

Whatever the path (web form, API, Open311), a photo goes through `clean_photo`: the file must
really be a JPEG, PNG or WebP image of reasonable size; it is decoded, turned upright per its
EXIF orientation, scaled down, and re-encoded as a fresh JPEG that carries no EXIF (GPS
position, device, owner), no XMP, no ICC profile and no comment.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 2048
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PHOTOS = 3


@dataclass(frozen=True)
class CleanPhoto:
    content: ContentFile
    width: int
    height: int


def clean_photo(upload) -> CleanPhoto:
    """Validate and re-encode an uploaded image. Raises ValidationError with a clear message."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("A photo may weigh at most 10 MB."), code="photo_too_large")
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            image_format = probe.format
            probe.verify()
        if image_format not in ACCEPTED_FORMATS:
            raise ValidationError(
                _("Send a photo in JPEG, PNG or WebP format."), code="photo_format"
            )
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            raise ValidationError(_("This image is too large."), code="photo_pixels")
        image = ImageOps.exif_transpose(image)
        image = image.convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            _("This file is not a readable image."), code="photo_unreadable"
        ) from exc
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    clean = Image.new("RGB", image.size)
    clean.paste(image)  # a new image: nothing of the original's metadata is carried over
    output = io.BytesIO()
    clean.save(output, format="JPEG", quality=85, optimize=True)
    return CleanPhoto(
        content=ContentFile(output.getvalue(), name="photo.jpg"),
        width=clean.width,
        height=clean.height,
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Up to `max_count` files in one input; each is then cleaned with `clean_photo`."""

    widget = MultipleFileInput

    def __init__(self, *args, max_count: int = MAX_PHOTOS, **kwargs) -> None:
        self.max_count = max_count
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > self.max_count:
            raise forms.ValidationError(_("At most %(count)d photos.") % {"count": self.max_count})
        return [super(MultiplePhotoField, self).clean(item, initial) for item in files]
