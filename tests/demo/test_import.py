"""The demo set imports like real open data: every record accepted, the duplicates grouped, a re-import idle."""

from pathlib import Path

import pytest
from django.core.management import call_command

from demo.__main__ import main
from imports.models import ImportRun, RejectedRecord
from services.models import Service
from structures.models import Structure

pytestmark = pytest.mark.django_db

COMMUNES = Path(__file__).parent / "fixtures" / "sample_places.csv"


def test_the_demo_set_imports_with_no_rejection(tmp_path):
    call_command("import_communes", str(COMMUNES), verbosity=0)
    main(["--communes", str(COMMUNES), "--out", str(tmp_path), "--structures", "400", "--services", "560"])

    call_command("import_datainclusion", str(tmp_path), verbosity=0)

    assert list(RejectedRecord.objects.values_list("record_id", "field", "message")) == []
    counts = ImportRun.objects.get().counts
    assert (counts["structures"]["creees"], counts["services"]["creees"]) == (400, 560)
    assert (Structure.objects.count(), Service.objects.count()) == (400, 560)
    assert Structure.objects.exclude(duplicate_group=None).exists()

    call_command("import_datainclusion", str(tmp_path), verbosity=0)
    counts = ImportRun.objects.order_by("started_at").last().counts
    assert (counts["structures"]["inchangees"], counts["services"]["inchangees"]) == (400, 560)
