"""Dates follow the tzdata package, never the host's time-zone files (protocolo/settings.py): a host
with data from before 2019 would still apply Brazilian daylight saving in December."""

import datetime
import os
import subprocess
import sys
import zoneinfo
from importlib import resources
from pathlib import Path

import tzdata
from django.conf import settings
from django.utils import timezone

RAIZ = Path(__file__).resolve().parents[2]


def test_the_hosts_files_are_off_the_search_path():
    assert zoneinfo.TZPATH == ()
    assert zoneinfo.ZoneInfo.no_cache(settings.TIME_ZONE).key == "America/Sao_Paulo"


def test_a_december_night_in_sao_paulo_is_utc_minus_3_and_keeps_its_date():
    noite = datetime.datetime(2026, 12, 15, 23, 30, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))

    assert noite.utcoffset() == datetime.timedelta(hours=-3)
    assert noite.dst() == datetime.timedelta(0)
    assert noite.astimezone(datetime.UTC) == datetime.datetime(2026, 12, 16, 2, 30, tzinfo=datetime.UTC)
    assert timezone.localdate(noite.astimezone(datetime.UTC)) == datetime.date(2026, 12, 15)


def test_the_package_wins_over_host_files_that_say_otherwise(tmp_path):
    """A host whose America/Sao_Paulo applies daylight saving in December (here Sydney's rules under
    that name): before the settings load, zoneinfo reads the host's file; after, the package's."""
    hospedeiro = tmp_path / "zoneinfo"
    (hospedeiro / "America").mkdir(parents=True)
    (hospedeiro / "America" / "Sao_Paulo").write_bytes(
        resources.files("tzdata.zoneinfo").joinpath("Australia", "Sydney").read_bytes()
    )
    programa = (
        "import datetime, zoneinfo\n"
        "def desvio():\n"
        "    zona = zoneinfo.ZoneInfo('America/Sao_Paulo')\n"
        "    return datetime.datetime(2026, 12, 15, 23, 30, tzinfo=zona).utcoffset()\n"
        "print(desvio())\n"
        "from django.conf import settings\n"
        "settings.TIME_ZONE\n"
        "print(desvio(), zoneinfo.TZPATH)\n"
    )
    ambiente = os.environ | {
        "PYTHONTZPATH": str(hospedeiro),
        "DJANGO_SETTINGS_MODULE": "protocolo.settings",
        "DEBUG": "1",
    }

    saida = subprocess.run(
        [sys.executable, "-c", programa], cwd=RAIZ, env=ambiente, capture_output=True, text=True, check=True
    ).stdout

    assert saida.splitlines() == ["11:00:00", "-1 day, 21:00:00 ()"]


def test_the_package_in_use_is_the_locked_one():
    trava = (RAIZ / "requirements.txt").read_text(encoding="utf-8")

    assert f"\ntzdata=={tzdata.__version__} \\\n" in trava
