"""Where files are kept, from the environment (foundation/storage.py): the local folder by
default, the object store when S3_BUCKET is set, and a clear refusal, naming the variable,
of a setting that would silently keep files on one machine or fail on the first upload.
(The object store itself is exercised in tests/services/test_object_storage.py.)"""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from foundation.storage import S3_VARIABLES, default_storage_config

ROOT = Path("/var/lib/actionplans/files")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("S3_BUCKET", *S3_VARIABLES):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(f"{name}_FILE", raising=False)
    return monkeypatch


def test_without_a_bucket_files_stay_in_the_private_folder():
    config = default_storage_config(private_files_root=ROOT)

    assert config == {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": ROOT, "base_url": "/no-public-url/"},
    }


def test_a_minio_bucket_is_private_path_style_and_never_overwritten(clean_environment):
    env = clean_environment
    env.setenv("S3_BUCKET", "actionplans-files")
    env.setenv("S3_ENDPOINT_URL", "http://minio:9000/")
    env.setenv("S3_REGION", "eu-west-2")
    env.setenv("S3_ACCESS_KEY_ID", "actionplans")
    env.setenv("S3_SECRET_ACCESS_KEY", "a-long-secret")

    config = default_storage_config(private_files_root=ROOT)

    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    options = config["OPTIONS"]
    assert options["bucket_name"] == "actionplans-files"
    assert options["endpoint_url"] == "http://minio:9000"
    assert options["region_name"] == "eu-west-2"
    assert (options["access_key"], options["secret_key"]) == ("actionplans", "a-long-secret")
    assert options["addressing_style"] == "path"  # what MinIO answers
    client = options["client_config"]
    assert client.s3 == {"addressing_style": "path"}  # django-storages uses this one, when given
    assert (client.connect_timeout, client.read_timeout) == (5, 60)  # an unreachable store fails fast
    assert options["default_acl"] is None and options["querystring_auth"] is False
    assert options["file_overwrite"] is False
    assert options["object_parameters"] == {}


def test_the_secret_key_may_come_from_a_file(clean_environment, tmp_path):
    secret = tmp_path / "s3_secret_access_key"
    secret.write_text("from-a-docker-secret\n")
    clean_environment.setenv("S3_BUCKET", "actionplans-files")
    clean_environment.setenv("S3_ACCESS_KEY_ID", "actionplans")
    clean_environment.setenv("S3_SECRET_ACCESS_KEY_FILE", str(secret))

    options = default_storage_config(private_files_root=ROOT)["OPTIONS"]

    assert options["secret_key"] == "from-a-docker-secret"


def test_amazon_s3_with_a_role_needs_no_keys_and_may_ask_for_kms(clean_environment):
    clean_environment.setenv("S3_BUCKET", "council-actionplans")
    clean_environment.setenv("S3_SERVER_SIDE_ENCRYPTION", "aws:kms")
    clean_environment.setenv("S3_KMS_KEY_ID", "alias/actionplans")

    options = default_storage_config(private_files_root=ROOT)["OPTIONS"]

    assert "access_key" not in options and "endpoint_url" not in options
    assert "addressing_style" not in options  # boto3's own choice for Amazon S3
    assert options["object_parameters"] == {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "alias/actionplans"}


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"S3_ENDPOINT_URL": "http://minio:9000"}, "S3_BUCKET"),  # set up half-way: not silently local
        ({"S3_SECRET_ACCESS_KEY_FILE": "/run/secrets/s3"}, "S3_BUCKET"),
        ({"S3_BUCKET": "s3://actionplans"}, "S3_BUCKET"),
        ({"S3_BUCKET": "Action_Plans"}, "S3_BUCKET"),
        ({"S3_BUCKET": "actionplans", "S3_ACCESS_KEY_ID": "actionplans"}, "S3_SECRET_ACCESS_KEY"),
        ({"S3_BUCKET": "actionplans", "S3_SECRET_ACCESS_KEY": "secret"}, "S3_ACCESS_KEY_ID"),
        ({"S3_BUCKET": "actionplans", "S3_ENDPOINT_URL": "minio:9000"}, "S3_ENDPOINT_URL"),
        ({"S3_BUCKET": "actionplans", "S3_ENDPOINT_URL": "http://minio:9000/actionplans"}, "S3_ENDPOINT_URL"),
        ({"S3_BUCKET": "actionplans", "S3_ADDRESSING_STYLE": "subdomain"}, "S3_ADDRESSING_STYLE"),
        ({"S3_BUCKET": "actionplans", "S3_SERVER_SIDE_ENCRYPTION": "yes"}, "S3_SERVER_SIDE_ENCRYPTION"),
        ({"S3_BUCKET": "actionplans", "S3_KMS_KEY_ID": "alias/x"}, "S3_KMS_KEY_ID"),
    ],
)
def test_a_setting_that_will_not_work_stops_start_up_naming_the_variable(clean_environment, variables, named):
    for name, value in variables.items():
        clean_environment.setenv(name, value)

    with pytest.raises(ImproperlyConfigured, match=named):
        default_storage_config(private_files_root=ROOT)
