import copy
import json
from pathlib import Path

import pytest
from django.core.management import call_command

FIXTURES = Path(__file__).parent / "fixtures"


def load_fixture(name: str) -> list[dict]:
    return json.loads((FIXTURES / name).read_text())


class Dataset:
    """Editable copies of the fixture records, written to a folder on demand."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.structures = load_fixture("structures.json")
        self.services = load_fixture("services.json")

    def service(self, record_id: str) -> dict:
        return next(record for record in self.services if record["id"] == record_id)

    def structure(self, record_id: str) -> dict:
        return next(record for record in self.structures if record["id"] == record_id)

    def write(self) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "structures.json").write_text(json.dumps(self.structures, ensure_ascii=False))
        (self.folder / "services.json").write_text(json.dumps(self.services, ensure_ascii=False))
        return self.folder

    def copy(self) -> "Dataset":
        return copy.deepcopy(self)


@pytest.fixture
def dataset(tmp_path) -> Dataset:
    return Dataset(tmp_path / "data")


@pytest.fixture
def run_import():
    def run(*args, **options):
        options.setdefault("verbosity", 0)
        call_command("import_datainclusion", *[str(arg) for arg in args], **options)

    return run
