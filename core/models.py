from django.db import models


class DataVersion(models.Model):
    """One row: the version of what pages show (core.data_version)."""

    version = models.BigIntegerField(default=1)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "version des données"

    def __str__(self):
        return f"version {self.version}"
