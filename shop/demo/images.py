"""Product pictures drawn locally with Pillow: a tile in the product's color.

One picture per (category, color) pair is shared by every product of that pair, so
a catalog of ten thousand products still stores only a few hundred small files.
"""

from io import BytesIO

from django.core.files.images import ImageFile
from PIL import Image as PillowImage
from PIL import ImageDraw, ImageFont
from wagtail.images.models import Image
from wagtail.models import Collection

DEMO_IMAGE_COLLECTION = "Demo catalog"
TILE_SIZE = 600


def demo_collection() -> Collection:
    existing = Collection.objects.filter(name=DEMO_IMAGE_COLLECTION).first()
    if existing:
        return existing
    return Collection.get_first_root_node().add_child(name=DEMO_IMAGE_COLLECTION)


def _text_color(hex_color: str) -> str:
    red, green, blue = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.299 * red + 0.587 * green + 0.114 * blue
    return "#1d1d1f" if luminance > 150 else "#ffffff"


def draw_tile(title: str, subtitle: str, hex_color: str) -> bytes:
    """A square JPEG: the color as background, the initials large, a caption below."""
    tile = PillowImage.new("RGB", (TILE_SIZE, TILE_SIZE), hex_color)
    draw = ImageDraw.Draw(tile)
    ink = _text_color(hex_color)
    margin = TILE_SIZE // 12
    draw.rounded_rectangle(
        (margin, margin, TILE_SIZE - margin, TILE_SIZE - margin),
        radius=margin,
        outline=ink,
        width=6,
    )
    initials = "".join(word[0] for word in title.split()[:2]).upper()
    centre = (TILE_SIZE // 2, TILE_SIZE // 2 - margin)
    draw.text(centre, initials, fill=ink, font=ImageFont.load_default(200), anchor="mm")
    caption_font = ImageFont.load_default(40)
    draw.text(
        (TILE_SIZE // 2, TILE_SIZE - 2.6 * margin),
        title,
        fill=ink,
        font=caption_font,
        anchor="mm",
    )
    draw.text(
        (TILE_SIZE // 2, TILE_SIZE - 1.8 * margin),
        subtitle,
        fill=ink,
        font=caption_font,
        anchor="mm",
    )
    buffer = BytesIO()
    tile.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def build_tile_image(
    collection: Collection, key: str, title: str, subtitle: str, hex_color: str
) -> Image:
    """An unsaved Wagtail image; `bulk_create` stores its file."""
    image = Image(
        title=f"{title} – {subtitle}",
        collection=collection,
        width=TILE_SIZE,
        height=TILE_SIZE,
    )
    image.file = ImageFile(
        BytesIO(draw_tile(title, subtitle, hex_color)), name=f"demo-{key}.jpg"
    )
    image._set_image_file_metadata()
    return image
