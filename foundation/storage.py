"""Where evidence, report and import files are kept, read from the environment.

By default, a private folder on this machine (PRIVATE_FILES_ROOT). With S3_BUCKET set, an
S3-compatible object store (Amazon S3, MinIO, Ceph, ...) instead, so that web and worker
processes on different machines all see the same files.

Either way the files stay private: nothing links to the store, and no object is readable
by anyone without the store's keys. The access-checked views stream each file through the
application (foundation/web.py ``private_file_response``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from foundation.env import env_int, env_str

# Every variable but S3_BUCKET: set without a bucket, they would be silently ignored and the
# files written to one machine's disk, which is the mistake this module exists to prevent.
S3_VARIABLES = (
    "S3_ENDPOINT_URL",
    "S3_REGION",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "S3_ADDRESSING_STYLE",
    "S3_SERVER_SIDE_ENCRYPTION",
    "S3_KMS_KEY_ID",
)
_ADDRESSING_STYLES = {"path", "virtual", "auto"}
_ENCRYPTIONS = {"AES256", "aws:kms"}
# S3's bucket naming rules, loosely: enough to catch "s3://name" or "name/folder".
_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
# S3File downloads an object whole before it is read: bigger files spill to a temporary
# file rather than sit in a web worker's memory.
_MAX_MEMORY_BYTES = 5 * 1024 * 1024


def _is_set(name: str) -> bool:
    return bool(os.environ.get(name, "").strip() or os.environ.get(f"{name}_FILE", "").strip())


def default_storage_config(*, private_files_root: Path) -> dict:
    """The ``STORAGES["default"]`` entry: the object store when S3_BUCKET is set, else the
    local folder. A malformed or incomplete object-store setting stops start-up, naming
    the variable."""
    bucket = env_str("S3_BUCKET").strip()
    if not bucket:
        stray = [name for name in S3_VARIABLES if _is_set(name)]
        if stray:
            one = len(stray) == 1
            raise ImproperlyConfigured(
                f"{', '.join(stray)} {'is' if one else 'are'} set but S3_BUCKET is not: set S3_BUCKET "
                f"to keep files in object storage, or unset {'it' if one else 'them'} to keep files in "
                "PRIVATE_FILES_ROOT"
            )
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": private_files_root, "base_url": "/no-public-url/"},
        }

    if not _BUCKET_NAME.fullmatch(bucket) or ".." in bucket:
        raise ImproperlyConfigured(
            f"S3_BUCKET must be a bucket name (3 to 63 lower-case letters, digits, dots and "
            f"hyphens), not {bucket!r}"
        )
    options: dict = {
        "bucket_name": bucket,
        # No per-object ACL: the bucket's own policy (private) applies, and buckets with
        # ACLs disabled (the AWS default since 2023) refuse a request that sends one.
        "default_acl": None,
        # Files are streamed by the access-checked views, never linked to. Should anything
        # ever ask for a URL, an unsigned one is refused by the private bucket, where a signed
        # one would hand the file to whoever holds the link.
        "querystring_auth": False,
        # Names are made by the application (uuids); never replace an existing object.
        "file_overwrite": False,
        "max_memory_size": _MAX_MEMORY_BYTES,
    }

    endpoint = env_str("S3_ENDPOINT_URL").strip()
    if endpoint:
        if not re.fullmatch(r"https?://[^/\s]+/?", endpoint):
            raise ImproperlyConfigured(
                f"S3_ENDPOINT_URL must be the server's address, such as http://minio:9000 or "
                f"https://s3.example.net, not {endpoint!r} (the bucket goes in S3_BUCKET)"
            )
        options["endpoint_url"] = endpoint.rstrip("/")

    region = env_str("S3_REGION").strip()
    if region:
        options["region_name"] = region

    access_key = env_str("S3_ACCESS_KEY_ID").strip()
    secret_key = env_str("S3_SECRET_ACCESS_KEY").strip()
    if bool(access_key) != bool(secret_key):
        missing = "S3_SECRET_ACCESS_KEY" if access_key else "S3_ACCESS_KEY_ID"
        raise ImproperlyConfigured(
            f"S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together: {missing} (or {missing}_FILE) "
            "is not set"
        )
    if access_key:
        options["access_key"] = access_key
        options["secret_key"] = secret_key
    # With neither, boto3's own chain finds credentials (an instance or task role on AWS).

    # MinIO and most self-hosted stores answer only path-style requests
    # (http://minio:9000/bucket/key); Amazon S3 prefers virtual-hosted ones.
    style = env_str("S3_ADDRESSING_STYLE").strip().lower() or ("path" if endpoint else "")
    if style and style not in _ADDRESSING_STYLES:
        raise ImproperlyConfigured(f"S3_ADDRESSING_STYLE must be path, virtual or auto, not {style!r}")
    if style:
        options["addressing_style"] = style

    encryption = env_str("S3_SERVER_SIDE_ENCRYPTION").strip()
    kms_key = env_str("S3_KMS_KEY_ID").strip()
    if encryption and encryption not in _ENCRYPTIONS:
        raise ImproperlyConfigured(
            f"S3_SERVER_SIDE_ENCRYPTION must be AES256 or aws:kms (or empty), not {encryption!r}"
        )
    if kms_key and encryption != "aws:kms":
        raise ImproperlyConfigured("S3_KMS_KEY_ID is only used with S3_SERVER_SIDE_ENCRYPTION=aws:kms")
    parameters = {}
    if encryption:
        parameters["ServerSideEncryption"] = encryption
    if kms_key:
        parameters["SSEKMSKeyId"] = kms_key
    options["object_parameters"] = parameters

    # An object store that does not answer fails the upload or download in seconds (as an
    # error the person can retry), not after botocore's default minute per attempt. Given
    # a client_config, django-storages no longer builds its own, so the addressing style
    # goes in here too.
    from botocore.config import Config

    options["client_config"] = Config(
        connect_timeout=env_int("S3_CONNECT_TIMEOUT", 5),
        read_timeout=env_int("S3_READ_TIMEOUT", 60),
        retries={"max_attempts": 3, "mode": "standard"},
        s3={"addressing_style": style} if style else None,
    )
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
