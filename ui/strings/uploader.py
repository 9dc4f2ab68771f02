"""Strings of ui/uploader.py: the file uploader's own texts in the page's language."""

STRINGS: dict[str, dict[str, str]] = {
    "upload.button": {"zh": "选择文件", "en": "Choose a file"},
    "upload.limit": {"zh": "单个文件不超过 {mb} MB · {types}", "en": "Up to {mb} MB per file · {types}"},
}
